#!/usr/bin/env bash
# The HTTP judge's server hangs in the middle of a run (tests/support/fake_judge.py accepts the
# requests of step 6 and never answers): the run ends within the judge's timeouts with a clear
# error naming the endpoint, the checkpoint of step 4 is intact, and resuming once the server
# answers again ends bit-identical to an uninterrupted run, every step logged once.
set -euo pipefail
cli=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
cleanup() { local j; j=$(jobs -p); [[ -z $j ]] || kill -9 $j 2>/dev/null || true; [[ -n ${KEEP:-} ]] || rm -rf "$t"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

python3 "$root/tests/support/fake_judge.py" > "$t/port" &
for _ in $(seq 1 500); do [[ -s $t/port ]] && break; sleep 0.01; done
port=$(cat "$t/port")
[[ -n $port ]] || fail "fake_judge.py did not start"
judge=http://127.0.0.1:$port
# python3's urllib without proxies (no curl binary on a minimal Debian: bootstrap.sh installs none)
control() { python3 -c 'import sys, urllib.request as u; u.build_opener(u.ProxyHandler({})).open(u.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST")).read()' "$judge/_control" "$1" > /dev/null; }
requests() { python3 -c 'import json, sys, urllib.request as u; print(json.load(u.build_opener(u.ProxyHandler({})).open(sys.argv[1]))["requests"])' "$judge/_count"; }

source "$root/tests/support/tiny_model.sh"
make_tiny_model "$cli" "$t/model" 5
cat > "$t/run.yaml" <<YAML
model: $t/model
data: $root/resources/datasets/arithmetic
train_mode: rloo
judge: $judge/v1
judge_model: fake-judge
judge_config: {timeout_seconds: 1, retries: 1}
iters: 8
batch_size: 2
group_size: 2
max_completion_length: 8
learning_rate: 1.0e-3
steps_per_eval: 0
save_every: 2
seed: 3
YAML

"$cli" train "$t/run.yaml" --set output_dir="$t/whole" 2> "$t/whole.log" || fail "uninterrupted run: $(cat "$t/whole.log")"
per_step=$(( $(requests) / 8 ))
(( per_step > 0 )) || fail "the judge was not asked"

# Step 6's first request hangs: steps 1-5 are answered.
control "{\"hang_after\": $(( per_step * 5 ))}"
start=$(date +%s)
set +e
"$cli" train "$t/run.yaml" --set output_dir="$t/hang" 2> "$t/hang.log"; rc=$?
set -e
took=$(( $(date +%s) - start ))
[[ $rc != 0 ]] || fail "the run succeeded with a hung judge"
(( took < 30 )) || fail "the run took ${took}s to give up on the judge"
grep -q "HTTP judge $judge/v1/chat/completions" "$t/hang.log" || fail "the endpoint is not named: $(tail -5 "$t/hang.log")"
grep -qi "timeout\|timed out" "$t/hang.log" || fail "no timeout in the error: $(tail -5 "$t/hang.log")"
grep -q "judge_config.timeout_seconds" "$t/hang.log" || fail "no hint: $(tail -5 "$t/hang.log")"
grep -q '"step": 4' "$t/hang/state.json" || fail "the checkpoint of step 4 is not intact: $(head -5 "$t/hang/state.json")"
[[ -f $t/hang/adapters/0000004_adapters.safetensors ]] || fail "no adapters of step 4"

control '{"hang_after": -1}'
"$cli" train --resume "$t/hang" 2> "$t/resume.log" || fail "resume: $(tail -5 "$t/resume.log")"
cmp "$t/whole/adapters/adapters.safetensors" "$t/hang/adapters/adapters.safetensors" || fail "adapters differ from the uninterrupted run"
python3 - "$t/hang/metrics.jsonl" <<'PY' || fail "metrics.jsonl"
import json, sys
steps = [r["step"] for r in map(json.loads, filter(str.strip, open(sys.argv[1]))) if r.get("phase") == "train"]
assert steps == list(range(1, 9)), steps
PY
echo ok
