#!/usr/bin/env bash
# reinforge-cli init-model, fuse and export end to end, on a tiny llama built here: init-model writes
# the base (and is deterministic), a "full fine-tuning run" whose trained weights are another
# init-model output fuses to exactly those weights (byte-identical file), dtypes and GGUF/HF exports
# land where asked, LM Studio export needs ~/.lmstudio/models, bad input exits 2.
# usage: bash export_fuse.sh REINFORGE_CLI FIXTURES_DIR
set -u
cli="$1"; fx="$2"
fail=0
check() {  # check NAME HAYSTACK NEEDLE
  if ! grep -qF -- "$3" <<<"$2"; then echo "FAIL: $1: expected '$3' in:"; echo "$2"; fail=1; fi
}
rc_is() {  # rc_is NAME WANT GOT
  [[ "$3" == "$2" ]] || { echo "FAIL: $1: exit $3 (want $2)"; fail=1; }
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

mk_model_dir() {
  mkdir -p "$1"
  cat > "$1/config.json" <<'JSON'
{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64, "intermediate_size": 128,
 "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 384,
 "max_position_embeddings": 256, "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "tie_word_embeddings": true,
 "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32"}
JSON
  cp "$fx/export/sp-tiny/tokenizer.model" "$fx/export/sp-tiny/tokenizer_config.json" "$1/"
}

# ---- init-model ----
mk_model_dir "$tmp/base"; mk_model_dir "$tmp/base-again"; mk_model_dir "$tmp/trained"
out=$("$cli" init-model "$tmp/base" --seed 1 2>&1); rc_is init 0 $?
check init "$out" "model.safetensors"
"$cli" init-model "$tmp/base-again" --seed 1 >/dev/null 2>&1; rc_is init-again 0 $?
cmp -s "$tmp/base/model.safetensors" "$tmp/base-again/model.safetensors" || { echo "FAIL: init-model is not deterministic"; fail=1; }
"$cli" init-model "$tmp/trained" --seed 2 >/dev/null 2>&1; rc_is init-seed2 0 $?
cmp -s "$tmp/base/model.safetensors" "$tmp/trained/model.safetensors" && { echo "FAIL: seeds 1 and 2 gave the same weights"; fail=1; }
err=$("$cli" init-model "$tmp/base" --seed 1 2>&1); rc_is init-exists 2 $?
check init-exists "$err" "--force"
"$cli" init-model "$tmp/base-again" --seed 1 --force >/dev/null 2>&1; rc_is init-force 0 $?
"$cli" init-model "$tmp/base" >/dev/null 2>&1; rc_is init-no-seed 2 $?
mkdir -p "$tmp/empty"
err=$("$cli" init-model "$tmp/empty" --seed 1 2>&1); rc_is init-no-config 2 $?
check init-no-config "$err" "config.json"
out=$("$cli" info "$tmp/base"); check info "$out" "F32 x"

# ---- a full fine-tuning run: its adapters.safetensors holds every tensor under its HF name ----
run="$tmp/runs/full-run"
mkdir -p "$run/adapters"
printf 'model: %s\nlm_studio_name: cli-test\ntrain_type: full\n' "$tmp/base" > "$run/config.yaml"
echo '{"fine_tune_type": "full", "num_layers": -1, "lora_parameters": {"rank": 8, "scale": 20.0, "dropout": 0.0}}' \
  > "$run/adapters/adapter_config.json"
cp "$tmp/trained/model.safetensors" "$run/adapters/adapters.safetensors"
cp "$tmp/trained/model.safetensors" "$run/adapters/0000005_adapters.safetensors"

out=$("$cli" fuse "$run" 2>&1); rc_is fuse 0 $?
check fuse "$out" "$run/fused"
cmp -s "$run/fused/model.safetensors" "$tmp/trained/model.safetensors" \
  || { echo "FAIL: the fused full fine-tune is not the trained weights"; fail=1; }
for f in config.yaml adapters/adapters.safetensors adapters/adapter_config.json adapters/0000005_adapters.safetensors; do
  [[ -f "$run/$f" ]] || { echo "FAIL: fuse removed $f"; fail=1; }
done
[[ -f "$run/fused/tokenizer.model" && -f "$run/fused/tokenizer_config.json" ]] || { echo "FAIL: tokenizer not copied"; fail=1; }
"$cli" fuse "$run" --dtype bf16 --out "$tmp/fused-bf16" >/dev/null 2>&1; rc_is fuse-bf16 0 $?
out=$("$cli" info "$tmp/fused-bf16"); check fuse-bf16 "$out" "BF16 x"
check fuse-bf16-config "$(cat "$tmp/fused-bf16/config.json")" '"torch_dtype": "bfloat16"'
"$cli" fuse "$run" --dtype int4 >/dev/null 2>&1; rc_is fuse-bad-dtype 2 $?
"$cli" fuse "$tmp/nope" >/dev/null 2>&1; rc_is fuse-missing 2 $?
err=$("$cli" fuse "$tmp/base" 2>&1); rc_is fuse-model-dir 2 $?
check fuse-model-dir "$err" "nothing to fuse"

# ---- export ----
out=$("$cli" export "$run" --format gguf --quant q8_0 --out "$tmp/m.gguf" 2>&1); rc_is gguf 0 $?
check gguf "$out" "Q8_0"
[[ "$(head -c 4 "$tmp/m.gguf")" == "GGUF" ]] || { echo "FAIL: $tmp/m.gguf is not a GGUF file"; fail=1; }
mkdir -p "$tmp/gguf-dir"
"$cli" export "$tmp/base" --out "$tmp/gguf-dir" >/dev/null 2>&1; rc_is gguf-dir 0 $?
[[ -f "$tmp/gguf-dir/base-F16.gguf" ]] || { echo "FAIL: no $tmp/gguf-dir/base-F16.gguf"; ls "$tmp/gguf-dir"; fail=1; }
"$cli" export "$run" --format hf --quant f16 --out "$tmp/hf" >/dev/null 2>&1; rc_is hf 0 $?
out=$("$cli" info "$tmp/hf"); check hf "$out" "F16 x"
"$cli" export "$run" --format hf >/dev/null 2>&1; rc_is hf-no-out 2 $?
"$cli" export "$run" --format onnx --out "$tmp/x" >/dev/null 2>&1; rc_is bad-format 2 $?
"$cli" export "$run" --quant q4_k --out "$tmp/x.gguf" >/dev/null 2>&1; rc_is bad-quant 2 $?

# ---- LM Studio: the run's lm_studio_name, only when ~/.lmstudio/models exists ----
mkdir -p "$tmp/home"
err=$(HOME="$tmp/home" "$cli" export "$run" 2>&1); rc_is lms-absent 2 $?
check lms-absent "$err" ".lmstudio/models"
mkdir -p "$tmp/home/.lmstudio/models"
out=$(HOME="$tmp/home" "$cli" export "$run" 2>&1); rc_is lms 0 $?
[[ -f "$tmp/home/.lmstudio/models/reinforge/cli-test/cli-test-F16.gguf" ]] \
  || { echo "FAIL: LM Studio export missing:"; echo "$out"; fail=1; }
HOME="$tmp/home" "$cli" export "$tmp/base" --lm-studio other --quant q8_0 >/dev/null 2>&1; rc_is lms-flag 0 $?
[[ -f "$tmp/home/.lmstudio/models/reinforge/other/other-Q8_0.gguf" ]] || { echo "FAIL: --lm-studio export missing"; fail=1; }

[[ $fail == 0 ]] && echo "export_fuse.sh: all checks passed"
exit $fail
