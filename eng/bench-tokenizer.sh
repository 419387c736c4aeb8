#!/usr/bin/env bash
# Benchmarks the Gemma-3 tokenizer: load time of tokenizer.json (target < 2 s) and encoding a
# 20,000-character prompt (target < 100 ms). Prints two lines on stdout. Optional argument: repeats.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

"$root/eng/fetch-tokenizer.sh"
dotnet build "$root/eng/TokenizerBenchmark" -c Release --nologo -v quiet >&2
dotnet "$root/eng/TokenizerBenchmark/bin/Release/net10.0/TokenizerBenchmark.dll" \
  "$root/.tokenizer" "$root/tests/fixtures/tokenizer/gemma3-cases.json" "${1:-5}"
