#!/usr/bin/env bash
# reinforge-cli list-rewards: the built-in reward functions, and the names a reward_functions_file
# written for mlx-lm-lora registers (run in the python3 worker); clear exit-2 errors for bad files.
# usage: bash list_rewards.sh PATH/TO/reinforge-cli FIXTURES_DIR
set -u
CLI="$1"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

out="$("$CLI" list-rewards)" || fail "list-rewards exited $?"
prev=0
for name in r1_accuracy_reward_func r1_int_reward_func r1_strict_format_reward_func r1_soft_format_reward_func r1_count_xml; do
  line="$(grep -n "$name" <<<"$out" | head -1 | cut -d: -f1)"
  [ -n "$line" ] || fail "missing $name in: $out"
  [ "$line" -gt "$prev" ] || fail "$name out of order"
  prev="$line"
done

grep -qE '^  human +your 0-10 score' <<<"$out" || fail "list-rewards should name the person (human): $out"

cat >"$TMP/my_rewards.py" <<'PY'
from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function
print("files may print while loading")
@register_reward_function("exact_match")
def exact_match(prompts, completions, answer, types=None):
    return [2.0 if c.strip() == a.strip() else 0.0 for c, a in zip(completions, answer)]
@register_reward_function("r1_count_xml")
def my_count(prompts, completions, answer, types=None):
    return [0.0] * len(completions)
PY
out="$("$CLI" list-rewards --file "$TMP/my_rewards.py" 2>"$TMP/err")" || fail "list-rewards --file exited $?: $(cat "$TMP/err")"
grep -q "Registered by $TMP/my_rewards.py" <<<"$out" || fail "no file section: $out"
grep -q "^  exact_match" <<<"$out" || fail "exact_match not listed: $out"
grep -q "r1_count_xml   (replaces the built-in" <<<"$out" || fail "override not shown: $out"
grep -q "files may print while loading" "$TMP/err" || fail "the file's output was not passed on to stderr"

out="$("$CLI" list-rewards --file "$TMP/my_rewards.py" --json 2>/dev/null)" || fail "--json exited $?"
grep -q '"registered": \[' <<<"$out" || fail "no registered list in JSON: $out"
grep -q '"exact_match"' <<<"$out" || fail "exact_match missing from JSON"

# Errors: exit 2 with the file and line.
printf 'import os\n\ndef broken(:\n' >"$TMP/broken.py"
"$CLI" list-rewards --file "$TMP/broken.py" >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] || fail "broken file should exit 2"
grep -q "$TMP/broken.py:3:" "$TMP/err" || fail "error does not name file:line: $(cat "$TMP/err")"
grep -q "SyntaxError" "$TMP/err" || fail "error does not say SyntaxError: $(cat "$TMP/err")"

"$CLI" list-rewards --file "$TMP/absent.py" >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] || fail "missing file should exit 2"
grep -q "absent.py" "$TMP/err" || fail "missing file not named"

"$CLI" list-rewards --file "$TMP/my_rewards.py" --python /nonexistent/python3 >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] || fail "missing interpreter should exit 2"
grep -q "not found" "$TMP/err" || fail "missing interpreter not explained: $(cat "$TMP/err")"

"$CLI" list-rewards --bogus >/dev/null 2>&1
[ $? -eq 2 ] || fail "unknown option should exit 2"
echo "list_rewards: ok"
