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
JL

"$CLI" export-preferences "$RUN" 2>"$TMP/err" || fail "exited $?: $(cat "$TMP/err")"
[ -f "$RUN/preferences.jsonl" ] || fail "no preferences.jsonl"
[ "$(wc -l <"$RUN/preferences.jsonl")" -eq 2 ] || fail "expected 2 rows: $(cat "$RUN/preferences.jsonl")"
grep -qx '{"prompt":"2+2?","chosen":"4","rejected":"5"}' "$RUN/preferences.jsonl" || fail "row 1: $(cat "$RUN/preferences.jsonl")"
grep -qx '{"prompt":"Capital of France?","chosen":"Paris","rejected":"Lyon"}' "$RUN/preferences.jsonl" || fail "row 2"
grep -q "wrote 2 preference pairs" "$TMP/err" || fail "summary: $(cat "$TMP/err")"
grep -q "1 from other judges (add --all)" "$TMP/err" || fail "summary should mention other judges: $(cat "$TMP/err")"

"$CLI" export-preferences "$RUN" --all --out "$TMP/all.jsonl" 2>/dev/null || fail "--all exited $?"
[ "$(wc -l <"$TMP/all.jsonl")" -eq 3 ] || fail "--all: expected 3 rows"
grep -qx '{"prompt":"llm","chosen":"d","rejected":"c"}' "$TMP/all.jsonl" || fail "--all row"

"$CLI" export-preferences "$TMP/nowhere" >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] || fail "missing run should exit 2"
printf '{"kind":"pairwise","judge":"human"}\n' >"$TMP/bad.jsonl"
printf 'garbage\n{}\n' >>"$TMP/bad.jsonl"
"$CLI" export-preferences "$TMP/bad.jsonl" >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] || fail "bad judgments should exit 2"
grep -q "bad.jsonl:1:" "$TMP/err" || fail "error should name file:line: $(cat "$TMP/err")"
echo "export_preferences: ok"
