#!/usr/bin/env bash
# Recipe for the embedded default model (SPEC §14), `make`-style: each step runs only when its
# output is missing (delete an output to redo that step). Documented in docs/embedded-default.md.
#
#   1. corpus.txt         <- the SFT split of the bundled arithmetic task (one line per message line)
#   2. tokenizer.model    <- spm_train (Debian `sentencepiece`), BPE, digits split, byte fallback,
#                            the chat and answer tags as user-defined symbols
#   3. tokenizer_config.json, config.json (Llama architecture, a few MB)
#   4. model.safetensors  <- random init by `reinforge-cli init-model`, then SFT by Reinforge itself:
#                            `reinforge-cli train resources/presets/sft-default.yaml`
#
# Usage: resources/models/make_default.sh [path/to/reinforge-cli]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cli=${1:-$root/build/app/reinforge-cli}
out="$here/reinforge-arith-tiny"
work="$root/build/default-model-work"
mkdir -p "$out" "$work"

if [[ ! -f "$out/tokenizer.model" ]]; then
  /usr/bin/python3 - "$root" "$work/corpus.txt" <<'PY'
import json, sys
root, out = sys.argv[1], sys.argv[2]
with open(out, "w") as f:
    for split in ("train", "valid"):
        for line in open(f"{root}/resources/datasets/arithmetic-sft/{split}.jsonl"):
            for m in json.loads(line)["messages"]:
                for l in m["content"].split("\n"):
                    f.write(l + "\n")
PY
  spm_train --input="$work/corpus.txt" --model_prefix="$work/tok" --vocab_size=400 --model_type=bpe \
    --split_digits=true --byte_fallback=true --character_coverage=1.0 \
    --user_defined_symbols='<think>,</think>,<answer>,</answer>,<|im_start|>,<|im_end|>' \
    --bos_id=1 --eos_id=2 --unk_id=0 --pad_id=-1 --normalization_rule_name=identity \
    --remove_extra_whitespaces=false --add_dummy_prefix=true --seed_sentencepiece_size=100000 \
    --num_threads=1 > "$work/spm_train.log" 2>&1
  cp "$work/tok.model" "$out/tokenizer.model"
fi

if [[ ! -f "$out/tokenizer_config.json" ]]; then
  cat > "$out/tokenizer_config.json" <<'JSON'
{
  "tokenizer_class": "LlamaTokenizer",
  "add_bos_token": false,
  "add_eos_token": false,
  "bos_token": "<s>",
  "eos_token": "<|im_end|>",
  "unk_token": "<unk>",
  "pad_token": "<|im_end|>",
  "model_max_length": 512,
  "added_tokens_decoder": {},
  "chat_template": "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
}
JSON
fi

if [[ ! -f "$out/config.json" ]]; then
  # id of <|im_end|> = its 0-based line in the vocabulary spm_train wrote
  eos=$(( $(grep -n -F -m1 '<|im_end|>' "$work/tok.vocab" | cut -d: -f1) - 1 ))
  cat > "$out/config.json" <<JSON
{
  "architectures": ["LlamaForCausalLM"],
  "model_type": "llama",
  "hidden_size": 192,
  "intermediate_size": 512,
  "num_hidden_layers": 4,
  "num_attention_heads": 4,
  "num_key_value_heads": 2,
  "head_dim": 48,
  "vocab_size": 400,
  "max_position_embeddings": 512,
  "rms_norm_eps": 1e-05,
  "rope_theta": 10000.0,
  "tie_word_embeddings": true,
  "attention_bias": false,
  "mlp_bias": false,
  "hidden_act": "silu",
  "bos_token_id": 1,
  "eos_token_id": [$eos, 2],
  "torch_dtype": "float32"
}
JSON
fi

if [[ ! -f "$out/model.safetensors" ]]; then
  run="$work/sft-run"
  start=$(date +%s)
  if [[ -f "$run/state.json" ]]; then
    # an interrupted recipe continues where it stopped (same result as an uninterrupted run)
    "$cli" train --resume "$run"
  else
    rm -rf "$run"
    "$cli" init-model "$out" --seed 1234 --force
    mv "$out/model.safetensors" "$work/init.safetensors"
    cp "$out/config.json" "$out/tokenizer.model" "$out/tokenizer_config.json" "$work/"
    # train from the random init kept in the work folder, so a half-made model never sits in resources/
    mkdir -p "$work/init" && cp "$out/config.json" "$out/tokenizer.model" "$out/tokenizer_config.json" "$work/init/"
    mv "$work/init.safetensors" "$work/init/model.safetensors"
    "$cli" train "$root/resources/presets/sft-default.yaml" --set output_dir="$run" --set model="$work/init"
  fi
  iters=$(sed -n 's/^iters: *//p' "$root/resources/presets/sft-default.yaml")
  done_steps=$(sed -n 's/^ *"step": *\([0-9]*\).*/\1/p' "$run/state.json")
  if [[ "$done_steps" != "$iters" ]]; then
    echo "the SFT run stopped at step $done_steps of $iters; run this script again to continue it" >&2
    exit 1
  fi
  rm -rf "$work/fused"
  "$cli" fuse "$run" --out "$work/fused"
  cp "$work/fused/model.safetensors" "$out/model.safetensors"
  echo "SFT recipe took $(( $(date +%s) - start )) s (this invocation)" | tee -a "$work/recipe-time.txt"
fi
