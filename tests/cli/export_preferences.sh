#!/usr/bin/env bash
# reinforge-cli export-preferences RUN_DIR: judgments.jsonl -> DPO rows (prompt, chosen, rejected).
# usage: bash export_preferences.sh PATH/TO/reinforge-cli FIXTURES_DIR
set -u
CLI="$1"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

RUN="$TMP/run"
mkdir -p "$RUN"
cat >"$RUN/judgments.jsonl" <<'JL'
{"step":1,"phase":"train","kind":"pairwise","judge":"human","prompt":"2+2?","completions":["4","5"],"answer":"","verdict":{"winner":"0","swapped":true,"failed":false,"raw":"0"}}
{"step":1,"phase":"train","kind":"pairwise","judge":"human","prompt":"Capital of France?","completions":["Lyon","Paris"],"answer":"","verdict":{"winner":"1","swapped":false,"failed":false,"raw":"1"}}
{"step":2,"phase":"train","kind":"pairwise","judge":"human","prompt":"tie","completions":["a","b"],"answer":"","verdict":{"winner":"tie","swapped":false,"failed":false,"raw":"tie"}}
{"step":2,"phase":"train","kind":"pairwise","judge":"http:m@http://h/v1","prompt":"llm","completions":["c","d"],"answer":"","verdict":{"winner":"1","swapped":false,"failed":false,"raw":"1"}}
{"step":3,"phase":"train","kind":"scalar","judge":"human","prompt":"s","completions":["e"],"answer":"","verdict":{"score":7,"skipped":false,"failed":false,"raw":"7"}}
{"step":4,"phase":"train","kind":"scalar","judge":"human","prompt":"g","completions":["mid"],"answer":"","verdict":{"score":5,"skipped":false,"failed":false,"raw":"5"}}
{"step":4,"phase":"train","kind":"scalar","judge":"human","prompt":"g","completions":["top"],"answer":"","verdict":{"score":9,"skipped":false,"failed":false,"raw":"9"}}
{"step":4,"phase":"train","kind":"scalar","judge":"human","prompt":"g","completions":["skipped"],"answer":"","verdict":{"score":0,"skipped":true,"failed":false,"raw":"skip"}}
{"step":4,"phase":"train","kind":"scalar","judge":"human","prompt":"g","completions":["low"],"answer":"","verdict":{"score":1,"skipped":false,"failed":false,"raw":"1"}}
{"step":5,"phase":"train","kind":"scalar","judge":"human","prompt":"g","completions":["x"],"answer":"","verdict":{"score":4,"skipped":false,"failed":false,"raw":"4"}}
{"step":5,"phase":"train","kind":"scalar","judge":"human","prompt":"g","completions":["y"],"answer":"","verdict":{"score":4,"skipped":false,"failed":false,"raw":"4"}}
{"step":4,"phase":"train","kind":"scalar","judge":"rewards","prompt":"r","completions":["r1"],"answer":"","verdict":{"score":2,"skipped":false,"failed":false,"raw":""}}
{"step":4,"phase":"train","kind":"scalar","judge":"rewards","prompt":"r","completions":["r2"],"answer":"","verdict":{"score":0,"skipped":false,"failed":false,"raw":""}}
JL

"$CLI" export-preferences "$RUN" 2>"$TMP/err" || fail "exited $?: $(cat "$TMP/err")"
[ -f "$RUN/preferences.jsonl" ] || fail "no preferences.jsonl"
# 2 pairwise rows + step 4's scored group (best "top" over worst "low"; the skip is left out); step 3
# has one scored completion and step 5 a tie: no pair
[ "$(wc -l <"$RUN/preferences.jsonl")" -eq 3 ] || fail "expected 3 rows: $(cat "$RUN/preferences.jsonl")"
grep -qx '{"prompt":"g","chosen":"top","rejected":"low"}' "$RUN/preferences.jsonl" || fail "scalar row: $(cat "$RUN/preferences.jsonl")"
grep -qx '{"prompt":"2+2?","chosen":"4","rejected":"5"}' "$RUN/preferences.jsonl" || fail "row 1: $(cat "$RUN/preferences.jsonl")"
grep -qx '{"prompt":"Capital of France?","chosen":"Paris","rejected":"Lyon"}' "$RUN/preferences.jsonl" || fail "row 2"
grep -q "wrote 3 preference pairs" "$TMP/err" || fail "summary: $(cat "$TMP/err")"
grep -q "7 scalar scores gave 1 best-over-worst pair" "$TMP/err" || fail "scalar summary: $(cat "$TMP/err")"
grep -q "3 from other judges (add --all)" "$TMP/err" || fail "summary should mention other judges: $(cat "$TMP/err")"

"$CLI" export-preferences "$RUN" --all --out "$TMP/all.jsonl" 2>/dev/null || fail "--all exited $?"
[ "$(wc -l <"$TMP/all.jsonl")" -eq 5 ] || fail "--all: expected 5 rows: $(cat "$TMP/all.jsonl")"
grep -qx '{"prompt":"r","chosen":"r1","rejected":"r2"}' "$TMP/all.jsonl" || fail "--all scalar row"
grep -qx '{"prompt":"llm","chosen":"d","rejected":"c"}' "$TMP/all.jsonl" || fail "--all row"

"$CLI" export-preferences "$TMP/nowhere" >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] || fail "missing run should exit 2"
printf '{"kind":"pairwise","judge":"human"}\n' >"$TMP/bad.jsonl"
printf 'garbage\n{}\n' >>"$TMP/bad.jsonl"
"$CLI" export-preferences "$TMP/bad.jsonl" >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] || fail "bad judgments should exit 2"
grep -q "bad.jsonl:1:" "$TMP/err" || fail "error should name file:line: $(cat "$TMP/err")"
echo "export_preferences: ok"
