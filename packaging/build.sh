#!/usr/bin/env bash
# Configures (when needed) and builds Release into build/. Usage: packaging/build.sh [targets...]
# A configure that did not finish (no Makefile / build.ninja) is redone on the next run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build"
if [[ ! -f "$build/CMakeCache.txt" || ( ! -f "$build/Makefile" && ! -f "$build/build.ninja" ) ]]; then
  log="$build/configure.log"
  mkdir -p "$build"
  if ! cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$build/CMakeCache.txt"   # nothing half-configured is kept
    echo >&2
    echo "reinforge: the cmake configure failed (full log: $log)." >&2
    grep -hoE "Could NOT find [A-Za-z0-9_]+|Could not find a package configuration file provided by \"[^\"]+\"|No package '[^']+' found" "$log" \
      | sort -u | sed 's/^/  missing: /' >&2 || true
    echo "  Install the Debian -dev package that provides it (packaging/bootstrap.sh lists them)," >&2
    echo "  then rerun this command: it is safe to rerun, the configure starts over." >&2
    exit 1
  fi
  tail -3 "$log"
fi
jobs=$(nproc)
if (($#)); then
  cmake --build "$build" -j "$jobs" --target "$@"
else
  cmake --build "$build" -j "$jobs"
fi
