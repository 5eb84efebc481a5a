#!/usr/bin/env bash
# Regenerates tests/fixtures/text/{tokenizer_expected,chat_template_expected}.json from the npm
# reference implementations (re-runnable; the npm packages are cached in tests/reference/.cache).
#   usage: bash tests/reference/gen_text_fixtures.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="$here/.cache"
mkdir -p "$cache/npm"
if [[ ! -d "$cache/npm/node_modules/@huggingface/tokenizers" || ! -d "$cache/npm/node_modules/@huggingface/jinja" ]]; then
  (cd "$cache/npm" && [[ -f package.json ]] || echo '{"name":"reinforge-reference","private":true}' > package.json
   cd "$cache/npm" && npm install --silent --no-audit --no-fund @huggingface/tokenizers@0.2.0 @huggingface/jinja@0.5.11)
fi
bash "$here/fetch_tokenizers.sh" "$cache/tokenizers"
# the .mjs imports resolve from the cache's node_modules
cp "$here/gen_text_fixtures.mjs" "$cache/npm/gen_text_fixtures.mjs"
sed -i 's#new URL(`./.cache/npm/node_modules/#new URL(`./node_modules/#' "$cache/npm/gen_text_fixtures.mjs"
node "$cache/npm/gen_text_fixtures.mjs" "$cache/tokenizers" "$root/tests/fixtures/text"
