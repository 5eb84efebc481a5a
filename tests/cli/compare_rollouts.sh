#!/usr/bin/env bash
# reinforge-cli compare and rollouts: two short GRPO runs of the embedded default that differ in
# learning_rate and beta; compare names exactly the keys that changed (and, with --all-keys, the
# equal ones as equal), summarises the held-out accuracy with its best evaluation, and its JSON has
# every reported step; rollouts lists one line per step and gives a step's worst group (the lowest
# mean total of the step's groups, checked against rollouts.jsonl); bad input exits 2.
set -euo pipefail
cli=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

common=(--set iters=3 --set steps_per_eval=3 --set val_batches=1 --set save_every=0 --set max_completion_length=16 --set group_size=4)
"$cli" train "$root/resources/presets/grpo-default.yaml" "${common[@]}" --set output_dir="$t/a" 2> "$t/a.log" || fail "train a: $(tail -3 "$t/a.log")"
"$cli" train "$root/resources/presets/grpo-default.yaml" "${common[@]}" --set learning_rate=2.0e-4 --set beta=0.0 \
  --set output_dir="$t/b" 2> "$t/b.log" || fail "train b: $(tail -3 "$t/b.log")"

"$cli" compare "$t/a" "$t/b" > "$t/cmp" || fail "compare exited $?"
grep -qE '^  learning_rate +5\.0e-05 +2\.0e-04' "$t/cmp" || fail "learning_rate row: $(cat "$t/cmp")"
grep -qE '^  beta +0\.04 +0\.0' "$t/cmp" || fail "beta row: $(cat "$t/cmp")"
grep -qE '^  seed ' "$t/cmp" && fail "seed is equal and should not be listed"
grep -q '^  val_r1_accuracy_reward_func_mean' "$t/cmp" || fail "no held-out accuracy: $(cat "$t/cmp")"
grep -qE '→ .* \(best .* at [03]\)' "$t/cmp" || fail "no best evaluation: $(cat "$t/cmp")"
"$cli" compare "$t/a" "$t/b" --all-keys > "$t/all" || fail "--all-keys exited $?"
grep -qE '^  seed .*\(equal\)' "$t/all" || fail "--all-keys should list seed as equal"
"$cli" compare "$t/a" "$t/b" --metrics kl,total_rewards_mean --json > "$t/cmp.json" || fail "--json exited $?"
python3 - "$t/cmp.json" <<'PY' || fail "compare --json"
import json, sys
j = json.load(open(sys.argv[1]))
assert set(j["metrics"]) == {"kl", "total_rewards_mean"}, j["metrics"].keys()
assert all(len(series) == 3 for series in j["metrics"]["kl"]), j["metrics"]["kl"]
keys = [r["key"] for r in j["config"] if r["differs"]]
assert "learning_rate" in keys and "beta" in keys and "seed" not in keys, keys
PY

"$cli" rollouts "$t/a" > "$t/steps" || fail "rollouts exited $?"
[ "$(grep -cE '^ +[0-9]+ +[0-9]+ ' "$t/steps")" -eq 3 ] || fail "one line per step: $(cat "$t/steps")"
"$cli" rollouts "$t/a" --step last --worst 1 > "$t/worst" || fail "--worst exited $?"
[ "$(grep -c '^step 3 · group' "$t/worst")" -eq 1 ] || fail "one worst group of step 3: $(cat "$t/worst")"
"$cli" rollouts "$t/a" --step 2 --worst 1 --json > "$t/worst.json" || fail "--json exited $?"
python3 - "$t/worst.json" "$t/a/rollouts.jsonl" <<'PY' || fail "the worst group is not the lowest mean"
import json, sys
worst = json.load(open(sys.argv[1]))
assert len(worst) == 1 and worst[0]["step"] == 2
groups = {}
for line in open(sys.argv[2]):
    r = json.loads(line)
    if r["step"] == 2:
        groups.setdefault(r["group"], []).append(r["reward"])
means = {g: sum(v) / len(v) for g, v in groups.items()}
assert abs(worst[0]["mean"] - min(means.values())) < 1e-9, (worst[0]["mean"], means)
assert len(worst[0]["completions"]) == 4
PY
set +e
"$cli" rollouts "$t/a" --filter bogus > /dev/null 2> "$t/err"; rc1=$?
"$cli" compare "$t/a" > /dev/null 2>&1; rc2=$?
"$cli" compare "$t/a" "$t" > /dev/null 2> "$t/err2"; rc3=$?
set -e
[ $rc1 -eq 2 ] && grep -q "unknown filter" "$t/err" || fail "--filter bogus: $rc1 $(cat "$t/err")"
[ $rc2 -eq 2 ] || fail "compare with one run should exit 2"
[ $rc3 -eq 2 ] && grep -q "config.yaml" "$t/err2" || fail "compare with a non-run: $rc3 $(cat "$t/err2")"
echo "compare_rollouts: ok"
