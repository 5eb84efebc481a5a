#!/usr/bin/env bash
# Regenerates tests/fixtures/parquet/*.parquet and their *.expected.json from independent npm writers
# (parquet-wasm: the Apache Arrow Rust writer; hyparquet-writer) and an independent reader
# (hyparquet + hyparquet-compressors). Re-runnable; the npm packages are cached in tests/reference/.cache.
#   usage: bash tests/reference/gen_parquet_fixtures.sh
#          bash tests/reference/gen_parquet_fixtures.sh --big /tmp/big.parquet 3000000 [WORDS]   (throughput file, not committed)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="$here/.cache/parquet-npm"
mkdir -p "$cache"
if [[ ! -d "$cache/node_modules/parquet-wasm" || ! -d "$cache/node_modules/hyparquet-compressors" ]]; then
  (cd "$cache" && echo '{"name":"reinforge-parquet-reference","private":true,"type":"module"}' > package.json &&
   npm install --silent --no-audit --no-fund parquet-wasm@0.8.0 apache-arrow@21.2.0 hyparquet@1.33.0 \
     hyparquet-compressors@1.1.2 hyparquet-writer@0.17.0)
fi
cp "$here/gen_parquet_fixtures.mjs" "$cache/gen_parquet_fixtures.mjs"   # imports resolve from the cache
out="$root/tests/fixtures/parquet"
mkdir -p "$out"
node --max-old-space-size=8192 "$cache/gen_parquet_fixtures.mjs" "$out" "$@"
