#!/usr/bin/env bash
# Packs the gemma-bench tool (artifacts/packages) and installs it into a tool path (default
# artifacts/tool, or $GEMMA_BENCH_TOOL_PATH), replacing any earlier install there. Installs only from
# the freshly packed folder, never from a feed. Prints the tool path on stdout; put it on PATH and the
# tool runs as `dotnet gemma-bench`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${GEMMA_BENCH_TOOL_PATH:-$root/artifacts/tool}"

rm -rf "$root/artifacts/packages"
dotnet pack "$root/src/Tool" -c Release -nologo -v quiet >&2
dotnet tool uninstall gemma-bench --tool-path "$tools" >/dev/null 2>&1 || true
dotnet tool install gemma-bench --tool-path "$tools" --source "$root/artifacts/packages" >&2
package="$(find "$root/artifacts/packages" -name 'gemma-bench.linux-x64.*.nupkg')"
echo "install-tool: $(basename "$package") is $(du -m "$package" | cut -f1) MB; installed in $tools" >&2
echo "$tools"
