#!/usr/bin/env bash
# reinforge-cli before-after RUN_DIR (train/before_after.h): a short GRPO run of the embedded default
# with checkpoints; the sources it offers; the base and the trained weights answer the same prompts
# (greedy: the same output twice; the last checkpoint answers as the latest adapters, which differ
# from the base); clear exit-2 errors for a folder that is not a run and an unknown source.
set -euo pipefail
cli=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$cli" train "$root/resources/presets/grpo-default.yaml" --set iters=4 --set save_every=2 --set steps_per_eval=0 \
  --set learning_rate=5.0e-3 --set max_completion_length=16 --set group_size=4 --set output_dir="$t/run" \
  2> "$t/train.log" || fail "train: $(tail -5 "$t/train.log")"

"$cli" before-after "$t/run" --list > "$t/list" || fail "--list exited $?"
for s in base "step 2" "step 4" latest; do grep -q "^$s " "$t/list" || fail "--list lacks '$s': $(cat "$t/list")"; done

"$cli" before-after "$t/run" --prompts 3 --max-tokens 12 --json > "$t/a.json" 2> "$t/err" || fail "exited $?: $(cat "$t/err")"
"$cli" before-after "$t/run" --prompts 3 --max-tokens 12 --json > "$t/b.json" 2>/dev/null || fail "second run exited $?"
cmp -s "$t/a.json" "$t/b.json" || fail "greedy answers differ between two invocations"
"$cli" before-after "$t/run" --prompts 3 --max-tokens 12 --sources 4,latest --json > "$t/c.json" 2>/dev/null \
  || fail "--sources 4,latest exited $?"
python3 - "$t/a.json" "$t/c.json" <<'PY' || fail "the JSON reports are wrong"
import json, math, sys
a = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2]))
assert a["sources"] == ["base", "latest"], a["sources"]
assert a["split"] == "valid", a["split"]
assert len(a["rows"]) == 3 and all(len(r["answers"]) == 2 for r in a["rows"])
assert all(isinstance(m, float) and math.isfinite(m) for m in a["mean_reward"]), a["mean_reward"]
for r in a["rows"]:
    for x in r["answers"]:
        assert isinstance(x["reward"], float), x
assert any(r["answers"][0]["text"] != r["answers"][1]["text"] for r in a["rows"]), "latest answers as the base"
assert c["sources"] == ["step 4", "latest"], c["sources"]
for r in c["rows"]:
    assert r["answers"][0] == r["answers"][1], ("step 4 is the latest checkpoint", r)
# the latest column is the same in both reports
assert [r["answers"][1] for r in a["rows"]] == [r["answers"][1] for r in c["rows"]]
PY
"$cli" before-after "$t/run" --prompts 2 --max-tokens 8 > "$t/text" 2>/dev/null || fail "text report exited $?"
grep -q "^Before / after on 2 prompts of the validation split (greedy)" "$t/text" || fail "text: $(cat "$t/text")"
grep -q "^mean reward" "$t/text" || fail "text lacks the mean rewards: $(cat "$t/text")"

set +e
"$cli" before-after "$t" > /dev/null 2> "$t/err"; rc=$?
set -e
[ $rc -eq 2 ] || fail "a folder that is not a run should exit 2, got $rc"
grep -q "config.yaml" "$t/err" || fail "the error should name config.yaml: $(cat "$t/err")"
set +e
"$cli" before-after "$t/run" --sources 99 > /dev/null 2> "$t/err"; rc=$?
set -e
[ $rc -eq 2 ] || fail "an unknown source should exit 2, got $rc"
grep -q "has no '99'" "$t/err" || fail "error: $(cat "$t/err")"
echo "before_after: ok"
