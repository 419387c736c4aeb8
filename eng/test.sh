#!/usr/bin/env bash
# The test command (README, .ci/run): fetches the tokenizer the tests read, builds, runs every test,
# and closes with one summary line "tests: N passed, N failed, N skipped".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

eng/fetch-tokenizer.sh
# The sweep's charts draw their text with DejaVu Sans, from Debian's fonts-dejavu-core.
if [[ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] && command -v apt-get >/dev/null; then
  { apt-get update -qq && apt-get install -y -qq fonts-dejavu-core >/dev/null; } \
    || echo "eng/test.sh: could not install fonts-dejavu-core; chart text may not render" >&2
fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test GemmaTool.sln -c Release "$@" 2>&1 | tee "$log" || status=$?

summary="$(grep -E '(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" | tail -n 1 || true)"
if [[ -n "$summary" ]]; then
  failed="$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$summary")"
  passed="$(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$summary")"
  skipped="$(sed -E 's/.*Skipped: +([0-9]+),.*/\1/' <<<"$summary")"
  echo "tests: $passed passed, $failed failed, $skipped skipped"
fi
exit "$status"
