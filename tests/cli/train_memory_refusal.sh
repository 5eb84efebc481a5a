#!/usr/bin/env bash
# Completion length vs memory (train/memory_check.h): a GRPO run whose max_completion_length,
# batch_size and group_size need more memory than the machine has is refused before the first step,
# exit 2, with an error naming the key and its line, in well under a second of work and without
# growing (the kernel would otherwise kill it mid-run); the same run with a sane length trains.
set -euo pipefail
cli=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

source "$root/tests/support/tiny_model.sh"
make_tiny_model "$cli" "$t/model" 5
# tiny model: 2 layers x 416 floats per token kept for the backward (3.3 KB); 64 sequences of
# 4,000,001 tokens are ~850 GB, more than any test machine has
cat > "$t/run.yaml" <<YAML
model: $t/model
data: $root/resources/datasets/arithmetic
train_mode: grpo
iters: 1
batch_size: 8
group_size: 8
max_completion_length: 4000000
reward_functions: [r1_accuracy_reward_func]
steps_per_eval: 0
YAML
set +e
timer=(); [[ -x /usr/bin/time ]] && timer=(/usr/bin/time -f '%M' -o "$t/rss")  # GNU time: peak RSS in KB
"${timer[@]}" "$cli" train "$t/run.yaml" --set output_dir="$t/run" 2> "$t/err.log"; rc=$?
set -e
[[ $rc == 2 ]] || fail "exit $rc: $(tail -5 "$t/err.log")"
grep -q "run.yaml:7: 'max_completion_length'" "$t/err.log" || fail "key and line not named: $(tail -5 "$t/err.log")"
grep -q "64 sequences (batch_size 8 x group_size 8) of up to 4000001 tokens" "$t/err.log" || fail "$(tail -5 "$t/err.log")"
grep -q "of memory is available" "$t/err.log" || fail "$(tail -5 "$t/err.log")"
grep -q "grad_checkpoint: true" "$t/err.log" || fail "no hint: $(tail -5 "$t/err.log")"
[[ ! -f $t/rss ]] || (( $(tail -1 "$t/rss") < 512 * 1024 )) || fail "peak RSS $(tail -1 "$t/rss") KB before the refusal"
[[ ! -f $t/run/metrics.jsonl ]] || fail "a step ran"
"$cli" train "$t/run.yaml" --set output_dir="$t/ok" --set max_completion_length=8 --set batch_size=1 --set group_size=2 2> "$t/ok.log" \
  || fail "a sane length was refused: $(tail -5 "$t/ok.log")"
echo ok
