#!/usr/bin/env bash
# Synthesizes a checkpoint of PRESET into DIR unless DIR already holds one (config.json); further
# arguments go to `synthesize` (e.g. --tokenizer .tokenizer). Progress goes to stderr.
# Usage: eng/synthetic-checkpoint.sh PRESET DIR [synthesize options]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $# -lt 2 ]]; then
  echo "usage: $0 PRESET DIR [synthesize options]" >&2
  exit 2
fi
preset="$1"
dir="$2"
shift 2
[[ -s "$dir/config.json" ]] && exit 0
dotnet run --project "$root/src/Tool" -c Release -- synthesize --preset "$preset" --out "$dir" "$@" >&2
