#!/usr/bin/env bash
# The thread sweep of the original benchmark with gemma-bench in place of the Python script:
#   eng/comparison.sh PRESET [gemma-bench options...]
# For each count in $THREADS (default: 2 4 8 16 32 64 96) runs the benchmark with OMP_NUM_THREADS set
# and prints the grep'd statistic lines, plus the tool's own line stating the thread count in effect.
# The model is $MODEL (a directory or hub id) if set, else a synthesized checkpoint of PRESET's shapes
# in artifacts/models/PRESET. Installs the tool first unless `dotnet-gemma-bench` is already on PATH.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${1:?usage: eng/comparison.sh PRESET [gemma-bench options...]}"
shift
threads="${THREADS:-2 4 8 16 32 64 96}"

if ! command -v dotnet-gemma-bench >/dev/null; then
  export PATH="$("$root/eng/install-tool.sh"):$PATH"
fi
model="${MODEL:-}"
if [[ -z "$model" ]]; then
  model="$root/artifacts/models/$preset"
  if [[ ! -s "$model/config.json" ]]; then
    "$root/eng/fetch-tokenizer.sh"
    dotnet gemma-bench synthesize --preset "$preset" --out "$model" --tokenizer "$root/.tokenizer" >&2
  fi
fi

statistics="^(gemma-bench: threads|Prefill Tokens|Prefill time|E2E Generation time|Decoded Tokens|Decode time"
statistics+="|Prefill Tokens per second|Decode Tokens per second):"
for t in $threads; do
  echo "== OMP_NUM_THREADS=$t"
  if ! output="$(OMP_NUM_THREADS="$t" dotnet gemma-bench --model "$model" "$@" 2>&1)"; then
    grep '^gemma-bench:' <<<"$output" >&2 || printf '%s\n' "$output" >&2
    exit 1
  fi
  grep -E "$statistics" <<<"$output"
done
