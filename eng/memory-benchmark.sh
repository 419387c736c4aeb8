#!/usr/bin/env bash
# Memory benchmark: decodes 1,000 tokens on a synthetic gemma-3-270m-shape checkpoint and prints RSS along the
# way; exits non-zero if RSS grows by 50 MB or more after the first 50 steps. Also shows how much resident
# memory ReplaceLinears gives back. Usage: eng/memory-benchmark.sh [STEPS] [bfloat16|float32] [PRESET]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
steps="${1:-1000}"
dtype="${2:-bfloat16}"
preset="${3:-gemma-3-270m}"
checkpoint="$root/artifacts/synthetic/$preset-$dtype"

if [[ ! -f "$checkpoint/config.json" ]]; then
  dotnet run --project "$root/src/Tool" -c Release -- synthesize --preset "$preset" --dtype "$dtype" \
    --out "$checkpoint" >/dev/null
fi
dotnet build "$root/eng/MemoryBenchmark" -c Release -v quiet -nologo >&2
dotnet "$root/eng/MemoryBenchmark/bin/Release/net10.0/MemoryBenchmark.dll" "$checkpoint" "$steps" "$dtype"
