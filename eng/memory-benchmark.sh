#!/usr/bin/env bash
# Memory benchmark on a synthetic gemma-3-270m-shape checkpoint (stored bfloat16):
#  1. decodes STEPS tokens (1,000) and prints RSS along the way; fails if RSS grows by 50 MB or more after
#     the first 50 steps;
#  2. loads again, swaps every projection for a weightless stand-in (ReplaceLinears, as quantization does) and
#     prints peak and final RSS: replaced weights and their mapped file pages must not stay resident.
# Usage: eng/memory-benchmark.sh [STEPS] [bfloat16|float32 compute] [PRESET]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
steps="${1:-1000}"
compute="${2:-bfloat16}"
preset="${3:-gemma-3-270m}"
checkpoint="$root/artifacts/synthetic/$preset-bfloat16"

"$root/eng/synthetic-checkpoint.sh" "$preset" "$checkpoint"
dotnet build "$root/eng/MemoryBenchmark" -c Release -v quiet -nologo >&2
benchmark="$root/eng/MemoryBenchmark/bin/Release/net10.0/MemoryBenchmark.dll"
echo "# decode $steps steps, $preset, compute $compute"
dotnet "$benchmark" "$checkpoint" decode "$steps" "$compute"
echo "# replace every projection, $preset, compute $compute"
dotnet "$benchmark" "$checkpoint" replace "$compute"
