#!/usr/bin/env bash
# A first real run as the seeds write it, offline: `model:` and `dataset:` are Hub ids served by the
# loopback fake Hub (tests/support/fake_hub.py). The model (a tiny Llama with the embedded
# default's tokenizer) and a GSM8K-shaped parquet dataset with configurations main/ and socratic/
# (the openai/gsm8k layout: no validation split, answers ending "#### 72") are downloaded into the
# HF cache; the openai/gsm8k preset maps question -> prompt, extracts the answer and picks main;
# two GRPO steps train; a second run uses the cache without asking the server for a file again.
# usage: bash train_hub.sh <path-to-reinforge-cli> <fixtures-dir>
set -u
CLI=$1
FIX=$2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d)
server=
cleanup() { [[ -n $server ]] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

repos=$TMP/repos
model=$repos/models/org/tiny-llama
mkdir -p "$model" "$repos/datasets/openai/gsm8k/main" "$repos/datasets/openai/gsm8k/socratic"
source "$SRC/tests/support/tiny_model.sh"
make_tiny_model "$CLI" "$model" 3 || fail "init-model"
echo "not part of a run" >"$model/README.md"
for c in main socratic; do
  cp "$FIX/parquet/gsm8k_like.parquet" "$repos/datasets/openai/gsm8k/$c/train-00000-of-00001.parquet"
  cp "$FIX/parquet/gsm8k_like.parquet" "$repos/datasets/openai/gsm8k/$c/test-00000-of-00001.parquet"
done

python3 "$SRC/tests/support/fake_hub.py" "$repos" >"$TMP/port" &
server=$!
for _ in $(seq 50); do [[ -s $TMP/port ]] && break; sleep 0.1; done
port=$(head -1 "$TMP/port")
[[ -n $port ]] || fail "fake_hub.py did not start"
endpoint=http://127.0.0.1:$port
export HF_ENDPOINT=$endpoint HF_HUB_CACHE=$TMP/cache HF_TOKEN_PATH=$TMP/no-token XDG_CACHE_HOME=$TMP/xdg
unset HF_TOKEN HF_HUB_OFFLINE HF_HOME

cat >"$TMP/run.yaml" <<YAML
model: org/tiny-llama
dataset: openai/gsm8k
train_mode: grpo
iters: 2
batch_size: 2
group_size: 2
max_completion_length: 8
reward_functions: [r1_accuracy_reward_func]
steps_per_eval: 0
save_every: 0
output_dir: $TMP/run
YAML
"$CLI" train "$TMP/run.yaml" 2>"$TMP/train.log" || fail "train exited $?: $(cat "$TMP/train.log")"
grep -q "openai/gsm8k is a known dataset: dataset_config: main, prompt_feature: question, answer_pattern: gsm8k" "$TMP/train.log" \
  || fail "no preset line: $(cat "$TMP/train.log")"
grep -q "configuration main): 19 train, 1 valid, 20 test rows" "$TMP/train.log" || fail "split counts: $(cat "$TMP/train.log")"
grep -q "1 training row (valid_fraction 0.05, seed 0) is held out" "$TMP/train.log" || fail "no held-out note: $(cat "$TMP/train.log")"
(( $(grep -c '"phase":"train"' "$TMP/run/metrics.jsonl") == 2 )) || fail "expected 2 train steps"
snap=$(echo "$TMP"/cache/models--org--tiny-llama/snapshots/*)
[[ -L $snap/model.safetensors && -f $snap/tokenizer.model ]] || fail "model not in the HF cache layout: $(ls -la "$snap")"
[[ ! -e $snap/README.md ]] || fail "README.md downloaded (a run fetches only what it needs)"
ds=$(echo "$TMP"/cache/datasets--openai--gsm8k/snapshots/*)
[[ -f $ds/main/train-00000-of-00001.parquet && ! -e $ds/socratic ]] || fail "dataset: only main's files: $(find "$ds")"

# the same run again: everything comes from the cache, no file is requested
python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/_log?clear=1").read()' "$endpoint"
"$CLI" train "$TMP/run.yaml" --set output_dir="$TMP/run2" 2>"$TMP/train2.log" || fail "second run: $(cat "$TMP/train2.log")"
log=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1] + "/_log").read().decode())' "$endpoint")
[[ $log == "[]" ]] || fail "the second run asked the server: $log"

# offline with nothing cached: a clear error naming the cache, exit 2
HF_HUB_OFFLINE=1 HF_HUB_CACHE=$TMP/empty "$CLI" train "$TMP/run.yaml" --set output_dir="$TMP/run3" 2>"$TMP/off.log"; rc=$?
[[ $rc == 2 ]] || fail "offline exit $rc: $(cat "$TMP/off.log")"
grep -q "$TMP/empty" "$TMP/off.log" || fail "offline error names no cache folder: $(cat "$TMP/off.log")"
echo "ok"
