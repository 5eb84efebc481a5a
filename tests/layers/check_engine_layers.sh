#!/usr/bin/env bash
# Fails when an engine folder includes a header from a folder below it in engine/LAYERS (or from a
# folder LAYERS does not list). usage: check_engine_layers.sh ENGINE_DIR
set -u
engine=${1:?usage: check_engine_layers.sh ENGINE_DIR}
mapfile -t order < <(grep -vE '^\s*(#|$)' "$engine/LAYERS" | awk '{print $1}')
declare -A rank
for i in "${!order[@]}"; do rank[${order[$i]}]=$i; done
fails=0
for dir in "$engine"/*/; do
  d=$(basename "$dir")
  [[ -n "${rank[$d]:-}" ]] || { echo "FAIL: engine/$d is not listed in engine/LAYERS"; fails=$((fails + 1)); continue; }
  while IFS=: read -r file line inc; do
    dep=${inc%%/*}
    [[ -n "${rank[$dep]:-}" ]] || continue   # not an engine folder (a system header written with quotes)
    if (( rank[$dep] > rank[$d] )); then
      echo "FAIL: ${file#$engine/}:$line includes \"$inc\": $d may not depend on $dep (engine/LAYERS: $d is below $dep)"
      fails=$((fails + 1))
    fi
  done < <(grep -HnoE '^#include "[a-z_]+/[^"]+"' "$dir"*.h "$dir"*.cpp 2>/dev/null | sed -E 's/#include "([^"]+)"/\1/')
done
if ((fails)); then echo "$fails layering violation(s)"; exit 1; fi
echo "engine layers: ${#order[@]} folders; every include names its own folder or one listed before it"
