#!/usr/bin/env bash
# The sweep study end to end: two models, 1 and 2 threads, eager and compiled, two repeats, short
# generations; prints the table and best-thread lines, writes CSV, JSON and charts to $OUT.
# Usage: eng/sweep-synthetic.sh MODEL_DIR MODEL_DIR   (checkpoints with tokenizer files, e.g. two
# synthesized with `dotnet gemma-bench synthesize`); an $OUT holding an earlier sweep is refused unless
# OVERWRITE=1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $# -ne 2 ]]; then
  echo "usage: $0 MODEL_DIR MODEL_DIR" >&2
  exit 2
fi
out="${OUT:-$root/artifacts/sweep}"

dotnet build "$root/src/Tool" -c Release -v quiet -nologo >&2
"$root/src/Tool/bin/Release/net10.0/dotnet-gemma-bench" sweep --model "$1" --model "$2" \
  --threads 1,2 --compile both --repeat 2 --max-new-tokens 8 --out "$out" ${OVERWRITE:+--overwrite}
