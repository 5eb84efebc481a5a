#!/usr/bin/env bash
# A hostile environment for reinforge-cli train: a second run started into a run folder in use is
# refused (exit 2, the first run's pid named); a run folder that cannot be created is a clear error;
# a disk that fills during a checkpoint (RLIMIT_FSIZE, the write fails with EFBIG) ends the run with
# a clear error and the previous checkpoint intact: resuming then ends like an uninterrupted run.
set -euo pipefail
cli=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
cleanup() { local j; j=$(jobs -p); [[ -z $j ]] || kill -9 $j 2>/dev/null || true; rm -rf "$t"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

source "$root/tests/support/tiny_model.sh"
source "$root/tests/support/pause_reward.sh"
write_pause_reward "$t/rewards.py" "$t"
make_tiny_model "$cli" "$t/model" 5
cat > "$t/run.yaml" <<YAML
model: $t/model
data: $root/resources/datasets/arithmetic
train_mode: grpo
iters: 12
batch_size: 2
group_size: 4
max_completion_length: 16
learning_rate: 1.0e-3
reward_functions_file: $t/rewards.py
reward_functions: [r1_accuracy_reward_func, pace]
steps_per_eval: 0
save_every: 4
seed: 3
YAML

# 1. one run per folder
"$cli" train "$t/run.yaml" --set output_dir="$t/busy" --set iters=100000 2> "$t/busy.log" &
first=$!
for _ in $(seq 1 500); do [[ -f $t/busy/metrics.jsonl ]] && break; sleep 0.02; done
set +e
"$cli" train "$t/run.yaml" --set output_dir="$t/busy" 2> "$t/second.log"; rc=$?
set -e
[[ $rc == 2 ]] || fail "a second run into a busy folder exited $rc"
grep -q "another run (process $first) is using this run folder" "$t/second.log" || fail "lock message: $(cat "$t/second.log")"
kill -INT "$first"; wait "$first" || fail "the first run did not stop cleanly"
flock -n "$t/busy/.reinforge.lock" true || fail "the lock outlived the run"

# 2. a run folder that cannot be created
set +e
"$cli" train "$t/run.yaml" --set output_dir=/proc/reinforge-cannot-write 2> "$t/nowrite.log"; rc=$?
set -e
[[ $rc == 2 ]] || fail "uncreatable run folder exited $rc"
grep -q "/proc/reinforge-cannot-write" "$t/nowrite.log" || fail "the folder is not named: $(cat "$t/nowrite.log")"

# 3. the disk fills during the checkpoint at step 8 (files may grow to ~48 KB; the steps' logs fit)
"$cli" train "$t/run.yaml" --set output_dir="$t/whole" 2>/dev/null || fail "uninterrupted run"
echo 6 > "$t/pause_at"  # killed in step 6, after the checkpoint of step 4
"$cli" train "$t/run.yaml" --set output_dir="$t/full" 2>/dev/null &
pid=$!
kill_when_paused "$pid" "$t" || fail "no kill in step 6"
grep -qs '"step": 4' "$t/full/state.json" || fail "no checkpoint of step 4 before the kill"
ckpt=$(wc -c < "$t/full/adapters/0000004_adapters.safetensors")
set +e
( trap '' XFSZ; ulimit -f $(( (ckpt / 1024) - 1 )); exec "$cli" train --resume "$t/full" ) 2> "$t/full.log"; rc=$?
set -e
[[ $rc == 2 || $rc == 1 ]] || fail "a full disk exited $rc: $(cat "$t/full.log")"
grep -qiE "file too large|no space|cannot write|could not write" "$t/full.log" || fail "no clear error: $(cat "$t/full.log")"
grep -q '"step": 4' "$t/full/state.json" || fail "the checkpoint of step 4 is not intact: $(head -5 "$t/full/state.json")"
"$cli" train --resume "$t/full" 2>/dev/null || fail "resume after the full disk"
cmp "$t/whole/adapters/adapters.safetensors" "$t/full/adapters/adapters.safetensors" || fail "adapters differ from the uninterrupted run"
# 4. a damaged state.json (a number that does not parse) is a clear error, not a crash
cp -r "$t/full" "$t/damaged"
python3 - "$t/damaged/state.json" <<'PY'
import json, sys
p = sys.argv[1]; j = json.load(open(p)); j["rng"][0] = "not-a-number"; j["step"] = 2.5e300
json.dump(j, open(p, "w"))
PY
set +e
"$cli" train --resume "$t/damaged" 2> "$t/damaged.log"; rc=$?
set -e
[[ $rc == 2 ]] || fail "a damaged state.json exited $rc: $(cat "$t/damaged.log")"
grep -q "state.json" "$t/damaged.log" || fail "the damaged file is not named: $(cat "$t/damaged.log")"
python3 - "$t/damaged/state.json" <<'PY'
import json, sys
p = sys.argv[1]; j = json.load(open(p)); j["step"] = 4; j["rng"][0] = "99999999999999999999999"
json.dump(j, open(p, "w"))
PY
set +e
"$cli" train --resume "$t/damaged" 2> "$t/damaged.log"; rc=$?
set -e
[[ $rc == 2 ]] && grep -q "out of range" "$t/damaged.log" || fail "an out-of-range number: exit $rc: $(cat "$t/damaged.log")"
echo ok
