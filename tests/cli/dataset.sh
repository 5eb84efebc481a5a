#!/usr/bin/env bash
# reinforge-cli dataset: a GSM8K-shaped folder (configurations main/ and socratic/ of parquet
# shards, no validation split) shown as a run sees it; a config must be chosen; a CONFIG.yaml
# templates the prompts with its model's chat template; bad input exits 2 naming the place.
# usage: bash dataset.sh <path-to-reinforge-cli> <fixtures-dir>
set -u
CLI=$1
FIX=$2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export XDG_CACHE_HOME=$TMP/xdg
for c in main socratic; do
  mkdir -p "$TMP/gsm8k/$c"
  cp "$FIX/parquet/gsm8k_like.parquet" "$TMP/gsm8k/$c/train-00000-of-00001.parquet"
  cp "$FIX/parquet/gsm8k_like.parquet" "$TMP/gsm8k/$c/test-00000-of-00001.parquet"
done

out=$("$CLI" dataset "$TMP/gsm8k" 2>&1); rc=$?
[[ $rc == 2 ]] || fail "no configuration chosen: exit $rc"
[[ $out == *"several configurations: main, socratic"* ]] || fail "configurations not listed: $out"

out=$("$CLI" dataset "$TMP/gsm8k" --set dataset_config=main --set prompt_feature=question --set answer_pattern=gsm8k --rows 2) \
  || fail "dataset exited $?"
for want in "configurations: main, socratic (using: main)" "train  19 rows  train-00000-of-00001.parquet" \
            "1 training row(s) held out as one (valid_fraction 0.05, seed 0)" "test   20 rows" \
            "columns: question (string), answer (string)" "answer: 72" "Natalia sold clips to 48"; do
  [[ $out == *"$want"* ]] || fail "missing '$want' in: $out"
done
[[ $out != *"<<48/2=24>>"* ]] || fail "the worked solution leaked into the answer: $out"

# a run config: the rows as its model's chat template renders them
cat >"$TMP/run.yaml" <<YAML
model: $SRC/resources/models/reinforge-arith-tiny
data: $TMP/gsm8k
dataset_config: main
prompt_feature: question
answer_pattern: gsm8k
train_mode: grpo
YAML
out=$("$CLI" dataset "$TMP/run.yaml" --rows 1) || fail "dataset CONFIG.yaml exited $?"
[[ $out == *"prompt (templated):"* && $out == *"answer: 72"* ]] || fail "templated row: $out"

out=$("$CLI" dataset "$TMP/gsm8k" --set dataset_config=main 2>&1); rc=$?
[[ $rc == 2 && $out == *"no column 'prompt'"* && $out == *"question (string)"* ]] || fail "missing column: exit $rc: $out"
out=$("$CLI" dataset "$TMP/nowhere.parquet" 2>&1); rc=$?
[[ $rc == 2 && $out == *"nowhere.parquet"* ]] || fail "missing file: exit $rc: $out"
# skip_bad_rows: malformed rows are left out and counted instead of stopping at the first
printf '{"prompt": "a", "answer": "1"}\n{"prompt": "b"}\nnot json\n{"prompt": "c", "answer": "3"}\n' > "$TMP/bad.jsonl"
out=$("$CLI" dataset "$TMP/bad.jsonl" --set valid_fraction=0 2>&1); rc=$?
[[ $rc == 2 && $out == *"bad.jsonl:2"* ]] || fail "a bad row without skip_bad_rows: exit $rc: $out"
out=$("$CLI" dataset "$TMP/bad.jsonl" --set valid_fraction=0 --set skip_bad_rows=true) || fail "skip_bad_rows exited $?"
[[ $out == *"train  2 rows  bad.jsonl"* && $out == *"bad rows left out (skip_bad_rows): 2"* ]] || fail "skip_bad_rows: $out"
echo ok
