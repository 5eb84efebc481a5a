#!/usr/bin/env bash
# The Python reward worker dies in the middle of a GRPO run (its function kills the worker with
# SIGSEGV on step 6's call): the run ends with a clear error naming the reward file, the function and
# the signal; the checkpoint of step 4 is intact; resuming once the function behaves ends
# bit-identical to an uninterrupted run, every step logged once. (Hangs, output bombs and the other
# worker failures: tests/engine/test_reward_worker.cpp.)
set -euo pipefail
cli=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

source "$root/tests/support/tiny_model.sh"
make_tiny_model "$cli" "$t/model" 5
cat > "$t/rewards.py" <<PY
import os, signal
from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function
calls = 0
@register_reward_function()
def length_mod(prompts, completions, answer, types=None):
    global calls
    calls += 1
    if calls == 6 and os.path.exists("$t/crash"):
        os.kill(os.getpid(), signal.SIGSEGV)
    return [float(len(c) % 3) for c in completions]
PY
cat > "$t/run.yaml" <<YAML
model: $t/model
data: $root/resources/datasets/arithmetic
train_mode: grpo
iters: 8
batch_size: 2
group_size: 4
max_completion_length: 8
learning_rate: 1.0e-3
reward_functions_file: $t/rewards.py
reward_functions: [length_mod]
steps_per_eval: 0
save_every: 2
seed: 3
YAML

"$cli" train "$t/run.yaml" --set output_dir="$t/whole" 2> "$t/whole.log" || fail "uninterrupted run: $(tail -5 "$t/whole.log")"
touch "$t/crash"
set +e
"$cli" train "$t/run.yaml" --set output_dir="$t/crashed" 2> "$t/crashed.log"; rc=$?
set -e
[[ $rc != 0 ]] || fail "the run succeeded with a crashing reward worker"
grep -q "$t/rewards.py" "$t/crashed.log" || fail "the file is not named: $(tail -5 "$t/crashed.log")"
grep -q "reward function 'length_mod' stopped: the python worker was killed by signal 11" "$t/crashed.log" \
  || fail "no clear error: $(tail -5 "$t/crashed.log")"
grep -q '"step": 4' "$t/crashed/state.json" || fail "the checkpoint of step 4 is not intact: $(head -5 "$t/crashed/state.json")"
rm "$t/crash"
"$cli" train --resume "$t/crashed" 2> "$t/resume.log" || fail "resume: $(tail -5 "$t/resume.log")"
cmp "$t/whole/adapters/adapters.safetensors" "$t/crashed/adapters/adapters.safetensors" || fail "adapters differ from the uninterrupted run"
python3 - "$t/crashed/metrics.jsonl" <<'PY' || fail "metrics.jsonl"
import json, sys
steps = [r["step"] for r in map(json.loads, filter(str.strip, open(sys.argv[1]))) if r.get("phase") == "train"]
assert steps == list(range(1, 9)), steps
PY
echo ok
