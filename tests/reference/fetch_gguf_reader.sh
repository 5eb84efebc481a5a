#!/usr/bin/env bash
# Installs the independent GGUF reader used by the export tests, @huggingface/gguf (Hugging Face's
# parser, written by nobody here), from the npm registry into a cache folder (reused between runs).
#   usage: fetch_gguf_reader.sh CACHE_DIR
# Result: CACHE_DIR/node_modules/@huggingface/gguf. Exit status 0 when present; 3 when npm could not
# fetch it (the tests then skip).
set -euo pipefail
cache="${1:?usage: fetch_gguf_reader.sh CACHE_DIR}"
version=0.4.6
mkdir -p "$cache"
exec 9>"$cache/.fetch.lock"
flock 9  # test executables may run in parallel under ctest -j
[[ -f "$cache/node_modules/@huggingface/gguf/package.json" ]] && exit 0
command -v node >/dev/null && command -v npm >/dev/null || { echo "fetch_gguf_reader: node/npm not installed" >&2; exit 3; }
if ! (cd "$cache" && timeout 300 npm install --silent --no-audit --no-fund --no-save \
        "@huggingface/gguf@$version" >npm.log 2>&1); then
  echo "fetch_gguf_reader: npm could not install @huggingface/gguf@$version:" >&2
  cat "$cache/npm.log" >&2 || true
  exit 3
fi
exit 0
