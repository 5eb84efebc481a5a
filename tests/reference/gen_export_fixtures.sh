#!/usr/bin/env bash
# Fixtures of the export tests (tests/fixtures/export/), re-runnable:
#   sp-tiny/tokenizer.model       a 360-piece SentencePiece BPE model (spm_train from Debian's
#                                 `sentencepiece`) with every piece type: unknown, control (<s>, </s>),
#                                 user-defined (<think>, </think>, <|im_end|>), byte fallback, normal
#   sp-tiny/tokenizer_config.json BOS/EOS and a ChatML chat template
# Corpus: the messages of the bundled arithmetic SFT data plus a few English lines.
# usage: tests/reference/gen_export_fixtures.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/tests/fixtures/export/sp-tiny"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
/usr/bin/python3 - "$root/resources/datasets/arithmetic-sft/train.jsonl" "$work/corpus.txt" <<'PY'
import json, sys
src, dst = sys.argv[1], sys.argv[2]
with open(dst, "w") as f:
    for i, line in enumerate(open(src)):
        if i >= 300: break
        for m in json.loads(line)["messages"]:
            f.write(m["content"].replace("\n", " ") + "\n")
    f.write("The quick brown fox jumps over the lazy dog.\nHello world, this is a tokenizer test.\n")
PY
spm_train --input="$work/corpus.txt" --model_prefix="$work/tok" --vocab_size=360 --model_type=bpe \
  --split_digits=true --byte_fallback=true --character_coverage=1.0 \
  --user_defined_symbols='<think>,</think>,<|im_end|>' \
  --bos_id=1 --eos_id=2 --unk_id=0 --pad_id=-1 --normalization_rule_name=identity \
  --num_threads=1 > "$work/spm_train.log" 2>&1
cp "$work/tok.model" "$out/tokenizer.model"
cat > "$out/tokenizer_config.json" <<'JSON'
{
  "tokenizer_class": "LlamaTokenizer",
  "add_bos_token": true,
  "add_eos_token": false,
  "bos_token": "<s>",
  "eos_token": "</s>",
  "unk_token": "<unk>",
  "pad_token": "<unk>",
  "added_tokens_decoder": {},
  "chat_template": "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
}
JSON
echo "wrote $out"
