#!/usr/bin/env bash
# The README's test command: install what is missing, build Release, run every test through ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/packaging/bootstrap.sh" --test
"$root/packaging/build.sh"
cd "$root/build"
ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@"
