#!/usr/bin/env bash
# Eager against compiled (--compile) decode and prefill tokens/s on a synthetic gemma-3-270m checkpoint, INT4
# (symmetric groupwise, group size 32), float32 compute, 1 and 2 threads, in one run. For each kernel it runs
# eager and the compiled arrangements on the same quantized model, interleaved, and prints medians of REPEATS
# plus compiled/eager ratios. managed: our C# kernel (segments, the --compile default on x86); int4pack:
# libtorch's kernel (segments and whole step).
# Usage: eng/compile-benchmark.sh [REPEATS=5] [PROMPT_TOKENS=55] [DECODE_TOKENS=48] [PRESET=gemma-3-270m]
#        [KERNELS=managed,int4pack]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repeats="${1:-5}"
prompt="${2:-55}"
decode="${3:-48}"
preset="${4:-gemma-3-270m}"
kernels="${5:-managed,int4pack}"
checkpoint="$root/artifacts/synthetic/$preset-bfloat16"

"$root/eng/synthetic-checkpoint.sh" "$preset" "$checkpoint"
dotnet build "$root/eng/CompileBenchmark" -c Release -v quiet -nologo >&2
benchmark="$root/eng/CompileBenchmark/bin/Release/net10.0/CompileBenchmark.dll"
echo "# $preset, INT4 gs 32, float32 compute; $(nproc) cores; $(date -u +%FT%TZ)"
for threads in 1 2; do
  dotnet "$benchmark" "$checkpoint" "$threads" "$repeats" "$prompt" "$decode" "$kernels"
done
