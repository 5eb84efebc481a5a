#!/usr/bin/env bash
# Trains a tiny SentencePiece BPE model with byte fallback (Debian's spm_train) and records what
# Debian's spm_encode / spm_decode make of the one-line test texts, as a fixture for
# tests/engine/test_tokenizer_sp.cpp.   usage: bash tests/reference/gen_sentencepiece_fixture.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../fixtures/text/sentencepiece"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
# corpus: the test texts (newlines folded) plus a few hundred lines of simple arithmetic prose
/usr/bin/python3 - "$here/../fixtures/text/tokenizer_cases.json" "$tmp" <<'PY'
import json, sys
cases = json.load(open(sys.argv[1]))
lines = [c["text"].replace("\r", " ").replace("\n", " ").strip() for c in cases]
lines = [l for l in lines if l]
with open(sys.argv[2] + "/corpus.txt", "w") as f:
    for i in range(400):
        f.write(f"What is {i} plus {i * 7 % 13}? The answer is {i + i * 7 % 13}. Think step by step.\n")
    for l in lines * 3:
        f.write(l + "\n")
with open(sys.argv[2] + "/cases.txt", "w") as f:
    for l in lines:
        f.write(l + "\n")
json.dump(lines, open(sys.argv[2] + "/cases.json", "w"), ensure_ascii=False)
PY
spm_train --input="$tmp/corpus.txt" --model_prefix="$tmp/tiny" --vocab_size=600 --model_type=bpe \
  --byte_fallback=true --character_coverage=0.9995 --seed_sentencepiece_size=100000 \
  --normalization_rule_name=identity --num_threads=1 --minloglevel=2 > /dev/null
spm_encode --model="$tmp/tiny.model" --output_format=id < "$tmp/cases.txt" > "$tmp/ids.txt"
spm_encode --model="$tmp/tiny.model" --output_format=piece < "$tmp/cases.txt" > "$tmp/pieces.txt"
spm_decode --model="$tmp/tiny.model" --input_format=id < "$tmp/ids.txt" > "$tmp/decoded.txt"
cp "$tmp/tiny.model" "$out/tokenizer.model"
/usr/bin/python3 - "$tmp" "$out" <<'PY'
import json, sys
tmp, out = sys.argv[1:]
texts = json.load(open(tmp + "/cases.json"))
ids = [[int(x) for x in l.split()] for l in open(tmp + "/ids.txt").read().split("\n")[:len(texts)]]
pieces = [l.split(" ") for l in open(tmp + "/pieces.txt").read().split("\n")[:len(texts)]]
dec = open(tmp + "/decoded.txt").read().split("\n")[:len(texts)]
json.dump({"generator": "spm_encode/spm_decode (Debian sentencepiece)", "cases": [
    {"text": t, "ids": i, "pieces": p, "decode": d} for t, i, p, d in zip(texts, ids, pieces, dec)]},
    open(out + "/expected.json", "w"), ensure_ascii=False)
PY
echo "wrote $out/tokenizer.model ($(stat -c %s "$out/tokenizer.model") bytes) and expected.json"
