#!/usr/bin/env bash
# The README's results: synthetic gemma-3-270m and gemma-3-1b, 1 and 2 threads, INT4 (default scheme
# and kernel, float32 compute) against unquantized bfloat16 and float32, eager and compiled, all in one
# run so the ratios are comparable. Each configuration runs in a fresh process (the sweep command).
# Usage: eng/results.sh [REPEAT]   (models are synthesized into artifacts/models when missing)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repeat="${1:-3}"
tool="$root/src/Tool/bin/Release/net10.0/dotnet-gemma-bench"

dotnet build "$root/src/Tool" -c Release -v quiet -nologo >&2
"$root/eng/fetch-tokenizer.sh"
models=()
for preset in gemma-3-270m gemma-3-1b; do
  dir="$root/artifacts/models/$preset"
  "$root/eng/synthetic-checkpoint.sh" "$preset" "$dir" --tokenizer "$root/.tokenizer"
  models+=(--model "$dir")
done

# --overwrite: artifacts/results holds this script's own previous run, replaced on purpose.
common=(--threads 1,2 --repeat "$repeat" --max-new-tokens 64 --overwrite)
echo "## INT4 (symmetric_groupwise, group size 32, auto kernel), float32 compute"
"$tool" sweep "${models[@]}" "${common[@]}" --compile both --out "$root/artifacts/results/int4"
for dtype in bfloat16 float32; do
  echo
  echo "## Unquantized, $dtype"
  "$tool" sweep "${models[@]}" "${common[@]}" --quant-scheme none --dtype "$dtype" \
    --out "$root/artifacts/results/$dtype"
done
