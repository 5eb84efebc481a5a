#!/usr/bin/env bash
# reinforge-cli generate on an MLX-quantized folder (a QLoRA run on the tiny model fused with
# fuse_dequantize: false): the folder stays packed, decodes by default with the 8-bit lm-head copy and
# int8 activations (docs/algorithms.md "Fast sampling"; the decoder's bound: tests/engine/
# test_quant_model.cpp FastSampling…) and says so; --exact decodes as training's forward computes.
# The QLoRA run's log says how it samples (fast, or exact with num_iterations > 1).
# Both are deterministic when greedy and answer in the model's vocabulary.
set -euo pipefail
cli=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

source "$root/tests/support/tiny_model.sh"
make_tiny_model "$cli" "$t/model" 5
cat > "$t/run.yaml" <<YAML
model: $t/model
data: $root/resources/datasets/arithmetic
train_mode: grpo
iters: 1
batch_size: 1
group_size: 2
max_completion_length: 8
quantization: 8
quantization_group_size: 32
fuse_dequantize: false
reward_functions: [r1_accuracy_reward_func]
steps_per_eval: 0
output_dir: $t/run
YAML
"$cli" train "$t/run.yaml" 2> "$t/train.log" || fail "QLoRA run: $(tail -3 "$t/train.log")"
grep -q "sampling: the lm-head packed in 8 bits and int8 activations" "$t/train.log" || fail "no sampling line: $(cat "$t/train.log")"
# num_iterations 2: the loss reads the sampling log-probs as the old policy's, so sampling is exact
"$cli" train "$t/run.yaml" --set num_iterations=2 --set output_dir="$t/run2" 2> "$t/train2.log" || fail "QLoRA run 2: $(tail -3 "$t/train2.log")"
grep -q "sampling: exact (num_iterations > 1" "$t/train2.log" || fail "no exact sampling line: $(cat "$t/train2.log")"
"$cli" fuse "$t/run" --out "$t/fused" 2> "$t/fuse.log" || fail "fuse: $(tail -3 "$t/fuse.log")"
grep -q '"quantization"' "$t/fused/config.json" || fail "the fused folder is not MLX-quantized"

gen() { "$cli" generate "$t/fused" --prompt "What is 2+3?" --temperature 0 --max-tokens 12 --show-ids "$@"; }
a=$(gen 2> "$t/fast.err") || fail "generate: $(cat "$t/fast.err")"
grep -q "decode: quantized base, lm-head packed in affine 8-bit, group 32, int8 activations" "$t/fast.err" \
  || fail "no decode line: $(cat "$t/fast.err")"
b=$(gen 2> /dev/null)
[[ $a == "$b" ]] || fail "greedy fast decode is not deterministic"
e=$(gen --exact 2> "$t/exact.err") || fail "generate --exact: $(cat "$t/exact.err")"
grep -q "decode:" "$t/exact.err" && fail "--exact still decodes fast: $(cat "$t/exact.err")"
grep -q '^ids:' <<< "$a" && grep -q '^ids:' <<< "$e" || fail "no ids: '$a' / '$e'"
echo ok
