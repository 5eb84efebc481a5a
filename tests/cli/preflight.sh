#!/usr/bin/env bash
# reinforge-cli preflight (train/preflight.h): the run's first groups sampled from the starting model
# and scored as training would score them, without a run folder.
#   - a tiny random model (noise): histograms, the verdict, exit 0; the JSON's frac_reward_zero_std
#     equals the share of its groups whose totals have zero variance; its first batch_size groups are
#     exactly the rollouts of training step 1 (same data order, sampling settings and RNG)
#   - the embedded default (grpo-default.yaml, --groups 4) carries signal
#   - --completions: hand-written completions with known r1_* rewards, and a Python reward file
#   - judge: human is refused with exit 2 (preflight is automatic)
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
batch_size: 2
group_size: 4
max_completion_length: 16
steps_per_eval: 0
seed: 3
YAML

# ---- the tiny random model: text
"$cli" preflight "$t/run.yaml" --set output_dir="$t/no_run" > "$t/text.out" 2> "$t/text.err" \
  || fail "preflight exited $?: $(cat "$t/text.err")"
[[ ! -e $t/no_run ]] || fail "preflight created a run folder"
grep -qE '^verdict: ([0-9]+ of 8 groups \([0-9]+%\) carry signal|no group has variance: the run cannot learn)' "$t/text.out" \
  || fail "no verdict line: $(cat "$t/text.out")"
grep -qE '^  r1_accuracy_reward_func  \(weight 1\)  mean [0-9.e-]+  non-zero [0-9]+% \([0-9]+ of 32\)$' "$t/text.out" \
  || fail "no summary line for r1_accuracy_reward_func: $(cat "$t/text.out")"
grep -qE '^ +[-0-9.e+]+  #+ *[0-9]+$' "$t/text.out" || fail "no histogram / value-count line: $(cat "$t/text.out")"
grep -qE '^frac_reward_zero_std: [01]\.[0-9]{3} \([0-9] of 8 groups without variance\)$' "$t/text.out" \
  || fail "no frac_reward_zero_std line"
grep -qE '^truncated: [0-9]+% \([0-9]+ of 32 completions hit max_completion_length 16\)$' "$t/text.out" || fail "no truncation line"
[[ $(grep -cE '^ +[0-9]+  var ' "$t/text.out") == 8 ]] || fail "not 8 group lines"

# ---- JSON: the same report; frac_reward_zero_std recomputed from the groups
"$cli" preflight "$t/run.yaml" --json > "$t/run.json" 2> "$t/json.err" || fail "--json exited $?: $(cat "$t/json.err")"
python3 - "$t/run.json" "$t/text.out" <<'PY' || fail "JSON report"
import json, math, sys
r = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
groups = r["groups"]
assert len(groups) == 8, len(groups)
zero = 0
for g in groups:
    t = [x for x in g["totals"] if x is not None]
    assert len(t) == 4 and len(g["completions"]) == 4
    m = sum(t) / len(t)
    sd = math.sqrt(sum((x - m) ** 2 for x in t) / len(t))
    zero += sd < 1e-8
    assert g["signal"] == (sd >= 1e-8)
    for c in g["completions"]:  # the total is the weighted sum (weights 1) of the per-function rewards
        assert abs(c["total"] - sum(v or 0 for v in c["rewards"].values())) < 1e-6, c
assert r["frac_reward_zero_std"] == zero / len(groups), (r["frac_reward_zero_std"], zero)
assert r["signal_groups"] == 8 - zero
names = [f["name"] for f in r["functions"]]
assert names[0] == "r1_accuracy_reward_func" and len(names) == 5, names
trunc = sum(c["truncated"] for g in groups for c in g["completions"])
assert r["truncated"] == trunc and r["completions"] == 32
# the text and the JSON say the same
for line in r["verdict"]:
    assert "verdict: " + line in text, line
assert ("of completions are truncated: raise max_completion_length" in text) == (trunc > 16)
PY

# ---- the first batch_size groups are training step 1's rollouts
"$cli" train "$t/run.yaml" --set output_dir="$t/step1" 2> "$t/train.err" || fail "train: $(cat "$t/train.err")"
python3 - "$t/run.json" "$t/step1/rollouts.jsonl" <<'PY' || fail "preflight differs from step 1"
import json, sys
r = json.load(open(sys.argv[1]))
rows = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
assert len(rows) == 8, len(rows)
mine = [(g["prompt"], c["completion"], c["total"]) for g in r["groups"][:2] for c in g["completions"]]
theirs = [(x["prompt"], x["completion"], x["reward"]) for x in rows]
assert mine == theirs, (mine, theirs)
PY

# resume_adapter_file: the starting model is the base plus those adapters
"$cli" preflight "$t/run.yaml" --set resume_adapter_file="$t/step1/adapters/adapters.safetensors" --groups 2 --json \
  > "$t/resumed.json" 2> "$t/resumed.err" || fail "preflight with resume_adapter_file: $(cat "$t/resumed.err")"
python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))["groups"]) == 2' "$t/resumed.json" || fail "resumed report"

# ---- the embedded default has signal
"$cli" preflight "$root/resources/presets/grpo-default.yaml" --groups 4 > "$t/default.out" 2> "$t/default.err" \
  || fail "default preflight: $(cat "$t/default.err")"
grep -qE '^verdict: [1-4] of 4 groups \([0-9]+%\) carry signal$' "$t/default.out" || fail "embedded default: $(cat "$t/default.out")"

# ---- REINFORCE with judge: rewards: the judge's scalar is the total, the functions give the breakdown
"$cli" preflight "$root/resources/presets/reinforce-default.yaml" --groups 2 --json > "$t/reinforce.json" 2> "$t/reinforce.err" \
  || fail "reinforce preflight: $(cat "$t/reinforce.err")"
python3 - "$t/reinforce.json" <<'PY' || fail "reinforce report"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["mode"] == "rlhf_reinforce" and r["baseline"] == "per_prompt_mean", (r["mode"], r.get("baseline"))
assert len(r["groups"]) == 2 and all(len(g["completions"]) == 8 for g in r["groups"])
for g in r["groups"]:
    for c in g["completions"]:
        assert abs(c["total"] - sum(v or 0 for v in c["rewards"].values())) < 1e-5, c
assert r["verdict"], r
PY

# ---- RLOO with a model as the judge (the tiny model itself: its scores are the expected value of
# "0".."10", continuous, so the judge's values are shown as a histogram)
cat > "$t/rloo.yaml" <<YAML
model: $t/model
data: $root/resources/datasets/arithmetic
train_mode: rloo
judge: $t/model
iters: 1
batch_size: 2
max_completion_length: 8
seed: 3
YAML
"$cli" preflight "$t/rloo.yaml" --groups 3 > "$t/rloo.out" 2> "$t/rloo.err" || fail "rloo preflight: $(cat "$t/rloo.err")"
grep -qE '^  judge  \(weight 1\)  mean [0-9.]+  non-zero [0-9]+% \([0-9]+ of 12\)$' "$t/rloo.out" || fail "rloo: $(cat "$t/rloo.out")"
grep -qE '^verdict: ' "$t/rloo.out" || fail "rloo: no verdict"

# ---- --completions: hand-written rows with known r1_* rewards (docs/judges-and-rewards.md)
cat > "$t/rows.jsonl" <<'JSONL'
{"prompt": "What is 3 + 4?", "completion": "<think> x </think> <answer> 7 </answer>", "answer": "7"}
{"prompt": "What is 3 + 4?", "completion": "<answer>8</answer>", "answer": "7"}
{"prompt": "What is 3 + 4?", "completion": "no tags", "answer": 7}
JSONL
"$cli" preflight "$root/resources/presets/grpo-default.yaml" --completions "$t/rows.jsonl" --json > "$t/rows.json" 2> "$t/rows.err" \
  || fail "--completions: $(cat "$t/rows.err")"
python3 - "$t/rows.json" <<'PY' || fail "--completions rewards"
import json, sys
r = json.load(open(sys.argv[1]))["rows"]
want = [  # accuracy, int, strict_format, soft_format, count_xml
    [2.0, 0.5, 0.5, 0.5, 0.375],
    [0.0, 0.5, 0.0, 0.0, 0.25],
    [0.0, 0.0, 0.0, 0.0, 0.0],
]
names = ["r1_accuracy_reward_func", "r1_int_reward_func", "r1_strict_format_reward_func",
         "r1_soft_format_reward_func", "r1_count_xml"]
for row, w in zip(r, want):
    got = [row["rewards"][n] for n in names]
    assert got == w, (row["completion"], got, w)
    assert abs(row["total"] - sum(w)) < 1e-6, row
PY
"$cli" preflight "$root/resources/presets/grpo-default.yaml" --completions "$t/rows.jsonl" > "$t/rows.out" \
  || fail "--completions text"
grep -qE '^  r1_accuracy_reward_func +2$' "$t/rows.out" || fail "--completions text: $(cat "$t/rows.out")"
grep -qE '^  total +3\.875$' "$t/rows.out" || fail "--completions total: $(cat "$t/rows.out")"

# a Python reward file, through the worker
cat > "$t/my_rewards.py" <<'PY'
from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function
@register_reward_function("short_answer")
def short_answer(prompts, completions, answer, types=None):
    return [1.0 if len(c) < 20 else None for c in completions]
PY
cat > "$t/py.yaml" <<YAML
model: $t/model
data: $root/resources/datasets/arithmetic
train_mode: grpo
reward_functions_file: $t/my_rewards.py
reward_functions: [short_answer, r1_accuracy_reward_func]
reward_weights: [0.5, 1.0]
iters: 1
YAML
"$cli" preflight "$t/py.yaml" --completions "$t/rows.jsonl" --json > "$t/py.json" 2> "$t/py.err" || fail "python file: $(cat "$t/py.err")"
python3 - "$t/py.json" <<'PY' || fail "python reward file rows"
import json, sys
r = json.load(open(sys.argv[1]))["rows"]
got = [(x["rewards"]["short_answer"], x["rewards"]["r1_accuracy_reward_func"], x["total"]) for x in r]
assert got == [(None, 2.0, 2.0), (1.0, 0.0, 0.5), (1.0, 0.0, 0.5)], got
PY

# a function with many distinct values is shown as a 10-bin histogram
cat >> "$t/my_rewards.py" <<'PY'
@register_reward_function("length_score")
def length_score(prompts, completions, answer, types=None):
    return [float(len(c)) for c in completions]
PY
for i in $(seq 1 12); do printf '{"completion": "%s"}\n' "$(head -c "$i" /dev/zero | tr '\0' x)"; done > "$t/lengths.jsonl"
"$cli" preflight "$t/py.yaml" --set 'reward_functions=[length_score]' --set 'reward_weights=[1.0]' \
  --completions "$t/lengths.jsonl" > "$t/hist.out" 2> "$t/hist.err" || fail "histogram: $(cat "$t/hist.err")"
grep -qE '^ +\[1, 2\.1\)  #+ +2$' "$t/hist.out" || fail "no first histogram bin: $(cat "$t/hist.out")"
grep -qE '^ +\[10\.9, 12\]  #+ +2$' "$t/hist.out" || fail "no last histogram bin: $(cat "$t/hist.out")"

# ---- refusals: a person as the judge, a broken rows file
set +e
"$cli" preflight "$root/resources/presets/reinforce-default.yaml" --set judge=human > /dev/null 2> "$t/human.err"
rc=$?
"$cli" preflight "$root/resources/presets/grpo-default.yaml" --completions <(printf '{"prompt": "p"}\n') > /dev/null 2> "$t/bad.err"
rc_bad=$?
set -e
[[ $rc == 2 ]] || fail "judge: human: exit $rc, not 2: $(cat "$t/human.err")"
grep -q "preflight is automatic" "$t/human.err" || fail "judge: human: $(cat "$t/human.err")"
[[ $rc_bad == 2 ]] || fail "rows without completion: exit $rc_bad"
grep -q ":1: 'completion': missing" "$t/bad.err" || fail "bad rows message: $(cat "$t/bad.err")"
for k in 0 x; do
  set +e; "$cli" preflight "$t/run.yaml" --groups $k > /dev/null 2>&1; rc=$?; set -e
  [[ $rc == 2 ]] || fail "--groups $k: exit $rc, not 2"
done
echo ok
