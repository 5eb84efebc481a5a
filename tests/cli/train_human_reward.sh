#!/usr/bin/env bash
# The person as one of the rewards from the terminal (reward_functions: [..., human]; docs/judges-and-
# rewards.md): GRPO on the embedded default, groups of 2, scores typed on stdin. Step 1's group is
# scored (7, 3 -> 0.7, 0.3 in rollouts.jsonl's human column), step 2's has a skip (no human score for
# the group, the accuracy function decides), every answer is in judgments.jsonl, and export-preferences
# makes one pair of step 1 (the 7 over the 3).
set -euo pipefail
cli=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

printf '7\n3\ns\n5\n' | "$cli" train "$root/resources/presets/grpo-default.yaml" --set iters=2 --set batch_size=1 \
  --set group_size=2 --set steps_per_eval=0 --set save_every=0 --set max_completion_length=12 \
  --set "reward_functions=r1_accuracy_reward_func, human" --set human_wait_seconds=0 --set output_dir="$t/run" \
  > "$t/out" 2> "$t/err" || fail "train exited $?: $(tail -5 "$t/err")"
grep -q "Score from 0 (bad) to 10" "$t/err" || fail "the terminal did not ask: $(tail -5 "$t/err")"
python3 - "$t/run" <<'PY' || fail "rollouts/judgments are wrong"
import json, sys
run = sys.argv[1]
ro = [json.loads(l) for l in open(run + "/rollouts.jsonl")]
assert len(ro) == 4, len(ro)
step1 = [r["rewards"]["human"] for r in ro if r["step"] == 1]
step2 = [r["rewards"]["human"] for r in ro if r["step"] == 2]
assert [round(x, 6) for x in step1] == [0.7, 0.3], step1
assert step2 == [None, None], step2
for r in ro:
    acc = r["rewards"]["r1_accuracy_reward_func"]
    h = r["rewards"]["human"] or 0.0
    assert abs(r["reward"] - (acc + h)) < 1e-5, r
ju = [json.loads(l) for l in open(run + "/judgments.jsonl")]
assert [j["judge"] for j in ju] == ["human"] * 4, ju
assert [j["verdict"]["skipped"] for j in ju] == [False, False, True, False], ju
PY
"$cli" export-preferences "$t/run" 2> "$t/exp" || fail "export-preferences exited $?"
[ "$(wc -l < "$t/run/preferences.jsonl")" -eq 1 ] || fail "expected one pair: $(cat "$t/run/preferences.jsonl")"
grep -q "1 best-over-worst pair" "$t/exp" || fail "summary: $(cat "$t/exp")"
echo "train_human_reward: ok"
