#!/usr/bin/env bash
# reinforge-cli train end to end: validate + train a tiny SFT run, stop it with SIGINT mid-run
# (checkpoint, exit 0), resume it to the end, and check the run folder; bad input exits 2.
set -euo pipefail
cli=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# a tiny Llama sharing the embedded default's tokenizer
source "$root/tests/support/tiny_model.sh"
make_tiny_model "$cli" "$t/model" 5
head -n 40 "$root/resources/datasets/arithmetic-sft/train.jsonl" > "$t/train.jsonl"

cat > "$t/run.yaml" <<YAML
model: $t/model
data: $t/train.jsonl
train_mode: sft
train_type: lora
iters: 400
batch_size: 2
learning_rate: 1.0e-3
steps_per_eval: 0
save_every: 0
output_dir: $t/run
YAML
"$cli" validate "$t/run.yaml" > /dev/null || fail "validate"

# stop with SIGINT once a few steps are done
"$cli" train "$t/run.yaml" 2> "$t/train.log" &
pid=$!
for _ in $(seq 1 600); do
  [[ -f "$t/run/metrics.jsonl" ]] && (( $(wc -l < "$t/run/metrics.jsonl") >= 3 )) && break
  sleep 0.1
done
kill -INT "$pid"
wait "$pid" || fail "interrupted train exited $?"
grep -q "continue with: reinforge-cli train --resume" "$t/train.log" || fail "no resume hint: $(cat "$t/train.log")"
[[ -f "$t/run/state.json" && -f "$t/run/adapters/adapters.safetensors" && -f "$t/run/adapters/adapter_config.json" ]] || fail "no checkpoint"
stopped=$(sed -n 's/^ *"step": *\([0-9]*\).*/\1/p' "$t/run/state.json")
(( stopped > 0 && stopped < 400 )) || fail "stopped at $stopped"

# resume to the end
"$cli" train --resume "$t/run" 2> "$t/resume.log" || fail "resume: $(cat "$t/resume.log")"
[[ $(sed -n 's/^ *"step": *\([0-9]*\).*/\1/p' "$t/run/state.json") == 400 ]] || fail "resume did not finish"
(( $(grep -c '"phase":"train"' "$t/run/metrics.jsonl") == 400 )) || fail "expected 400 train records"
[[ -f "$t/run/adapters/0000400_adapters.safetensors" ]] || fail "no final numbered checkpoint"

# fuse: true is honoured at the end of a run
"$cli" train "$t/run.yaml" --set iters=2 --set fuse=true --set output_dir="$t/fused-run" 2> /dev/null || fail "fuse run"
[[ -f "$t/fused-run/fused/model.safetensors" && -f "$t/fused-run/fused/tokenizer.model" ]] || fail "fuse: true wrote no fused model"
grep -q "fine_tune_type" "$t/run/adapters/adapter_config.json" || fail "adapter_config.json lacks fine_tune_type"

# bad input: exit code 2 with the file named
printf 'model: %s\ndata: %s\ntrain_mode: sft\niters: 2\nlerning_rate: 1e-3\n' "$t/model" "$t/train.jsonl" > "$t/bad.yaml"
set +e
"$cli" train "$t/bad.yaml" 2> "$t/bad.log"; rc=$?
set -e
[[ $rc == 2 ]] || fail "bad config exited $rc"
grep -q "did you mean 'learning_rate'" "$t/bad.log" || fail "no did-you-mean: $(cat "$t/bad.log")"
echo ok
