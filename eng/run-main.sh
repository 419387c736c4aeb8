#!/usr/bin/env bash
# The main job (README): packs and installs the tool, fetches the Gemma-3 tokenizer, synthesizes a
# checkpoint of gemma-3-270m's shapes (random weights) and benchmarks it, ending with the seven
# statistic lines. Extra arguments go to `dotnet gemma-bench`, e.g. --threads 2 or --json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

tools="$(eng/install-tool.sh)"
export PATH="$tools:$PATH"
eng/fetch-tokenizer.sh

model="$root/artifacts/models/gemma-3-270m"
if [[ ! -s "$model/config.json" ]]; then
  dotnet gemma-bench synthesize --preset gemma-3-270m --out "$model" --tokenizer .tokenizer >&2
fi
dotnet gemma-bench --model "$model" "$@"
