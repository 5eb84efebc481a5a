#!/usr/bin/env bash
# The CLI's progress line names the main metrics with their trend (app/cli_trend.h). A GRPO run
# killed with SIGKILL three times (checkpoints every 2 steps, each kill after an odd step was logged)
# and resumed each time ends bit-identical to an uninterrupted run: the same adapters, and
# metrics.jsonl / rollouts.jsonl holding every step exactly once with the same values (resume drops
# the rows logged after the checkpoint it goes back to; train/run_logs.h). The kills land at known
# steps whatever the machine's speed: a reward function pauses on a named call and the test kills
# the run there (tests/support/pause_reward.sh).
set -euo pipefail
cli=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
cleanup() { local j; j=$(jobs -p); [[ -z $j ]] || kill -9 $j 2>/dev/null || true; [[ -n ${KEEP:-} ]] || rm -rf "$t"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

source "$root/tests/support/tiny_model.sh"
make_tiny_model "$cli" "$t/model" 5
source "$root/tests/support/pause_reward.sh"
write_pause_reward "$t/rewards.py" "$t"
cat > "$t/run.yaml" <<YAML
model: $t/model
data: $root/resources/datasets/arithmetic
train_mode: grpo
iters: 24
batch_size: 2
group_size: 4
max_completion_length: 16
learning_rate: 1.0e-3
reward_functions_file: $t/rewards.py
reward_functions: [r1_accuracy_reward_func, r1_int_reward_func, pace]
steps_per_eval: 0
save_every: 2
seed: 3
YAML
"$cli" train "$t/run.yaml" --set output_dir="$t/whole" 2> "$t/whole.log" || fail "uninterrupted run: $(cat "$t/whole.log")"
# the progress line: the reward and the share of exact answers over the last 10 steps, with their change
grep -qE '^step 24/24  reward [0-9.e-]+ \([+-][0-9.e-]+\)  exact [0-9]+% \([+-][0-9]+ pts\)  kl ' "$t/whole.log" \
  || fail "progress line: $(grep '^step' "$t/whole.log" | tail -2)"

# the first process stops in step 6 (steps 1-5 logged, checkpoint 4); each resume restarts one step
# after its checkpoint, so its 8th call is step 12 (checkpoint 10), then step 18 (checkpoint 16)
echo 6 > "$t/pause_at"
"$cli" train "$t/run.yaml" --set output_dir="$t/killed" 2> "$t/killed.log" &
pid=$!
for next in 8 8 none; do
  kill_when_paused "$pid" "$t" || fail "$(tail -3 "$t/killed.log")"
  [[ -f $t/killed/state.json ]] || fail "no checkpoint before the kill"
  [[ $next == none ]] || echo "$next" > "$t/pause_at"
  "$cli" train --resume "$t/killed" 2>> "$t/killed.log" &
  pid=$!
done
wait "$pid" || fail "the last resume failed: $(cat "$t/killed.log")"
n=$(grep -c "log rows written after that checkpoint were removed" "$t/killed.log" || true)
[[ $n == 3 ]] || fail "rows were dropped on $n of 3 resumes: $(grep -i 'resum' "$t/killed.log" | head -6)"

cmp "$t/whole/adapters/adapters.safetensors" "$t/killed/adapters/adapters.safetensors" || fail "adapters differ"
python3 - "$t/whole" "$t/killed" <<'PY' || fail "logs differ"
import json, sys
def rows(d, name):
    return [json.loads(l) for l in open(f"{d}/{name}") if l.strip()]
volatile = {"peak_memory", "peak_memory_gb", "run_seconds", "elapsed"}
for name in ("metrics.jsonl", "rollouts.jsonl"):
    a, b = rows(sys.argv[1], name), rows(sys.argv[2], name)
    steps = [r["step"] for r in b]
    assert steps == sorted(steps), f"{name}: steps out of order: {steps}"
    assert len(a) == len(b), f"{name}: {len(a)} rows uninterrupted, {len(b)} after kills"
    for x, y in zip(a, b):
        for k in x:
            if k in volatile or "time" in k or "per_second" in k or "memory" in k: continue
            assert x[k] == y.get(k), f"{name} step {x.get('step')}: {k} {x[k]} != {y.get(k)}"
if len([r for r in rows(sys.argv[2], "metrics.jsonl") if r["phase"] == "train"]) != 24: sys.exit("not 24 train rows")
PY
echo ok
