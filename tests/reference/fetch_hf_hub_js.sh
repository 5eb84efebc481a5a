#!/usr/bin/env bash
# Installs the independent Hub client used by the download tests, @huggingface/hub (Hugging Face's
# JS client, written by nobody here), from the npm registry into a cache folder (reused between runs).
#   usage: fetch_hf_hub_js.sh CACHE_DIR
# Result: CACHE_DIR/node_modules/@huggingface/hub. Exit status 0 when present; 3 when npm could not
# fetch it (the tests then skip). 2.x has snapshotDownload / downloadFileToCacheDir (HF cache layout).
set -euo pipefail
cache="${1:?usage: fetch_hf_hub_js.sh CACHE_DIR}"
version=2.17.5
mkdir -p "$cache"
exec 9>"$cache/.fetch.lock"
flock 9  # test executables may run in parallel under ctest -j
[[ -f "$cache/node_modules/@huggingface/hub/package.json" ]] && exit 0
command -v node >/dev/null && command -v npm >/dev/null || { echo "fetch_hf_hub_js: node/npm not installed" >&2; exit 3; }
if ! (cd "$cache" && timeout 300 npm install --silent --no-audit --no-fund --no-save \
        "@huggingface/hub@$version" >npm.log 2>&1); then
  echo "fetch_hf_hub_js: npm could not install @huggingface/hub@$version:" >&2
  cat "$cache/npm.log" >&2 || true
  exit 3
fi
exit 0
