#!/usr/bin/env bash
# reinforge-cli download against the loopback fake Hub (tests/support/fake_hub.py): the snapshot
# path on stdout, a progress line per file on stderr (not a tty here), --include, --repo-type
# dataset, exit 2 on bad input (unknown repo, gated repo, offline), a retried 429, and Ctrl-C
# (SIGINT) leaving a resumable partial file with exit 130, resumed by the next run.
# usage: bash download.sh <path-to-reinforge-cli> <fixtures-dir>
set -u
CLI=$1
SRC=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d)
server=
cleanup() { [[ -n $server ]] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

repos=$TMP/repos
mkdir -p "$repos/models/org/tiny" "$repos/models/org/big" "$repos/models/org/gated" "$repos/datasets/org/data/main"
echo '{"model_type": "llama"}' >"$repos/models/org/tiny/config.json"
head -c 4096 /dev/urandom >"$repos/models/org/tiny/model.safetensors"
echo '{"version": "1.0"}' >"$repos/models/org/tiny/tokenizer.json"
head -c $((4 << 20)) /dev/urandom >"$repos/models/org/big/model.safetensors"
echo '{}' >"$repos/models/org/gated/config.json"
echo '{"token": "hf_secret"}' >"$repos/models/org/gated/.hub.json"
head -c 3000 /dev/urandom >"$repos/datasets/org/data/main/train-00000-of-00001.parquet"

python3 "$SRC/tests/support/fake_hub.py" "$repos" >"$TMP/port" &
server=$!
for _ in $(seq 50); do [[ -s $TMP/port ]] && break; sleep 0.1; done
port=$(head -1 "$TMP/port")
[[ -n $port ]] || { echo "FAIL: fake_hub.py did not start"; exit 1; }
endpoint=http://127.0.0.1:$port
control() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/_control", sys.argv[2].encode())' "$endpoint" "$1" >/dev/null; }
export HF_ENDPOINT=$endpoint HF_TOKEN_PATH=$TMP/no-token
unset HF_TOKEN HF_HUB_OFFLINE HF_HOME
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost  # a proxy in the environment must not see loopback

# A model: snapshot path on stdout, one progress line per file on stderr.
export HF_HUB_CACHE=$TMP/cache1
out=$("$CLI" download org/tiny 2>"$TMP/err"); rc=$?
[[ $rc == 0 ]] || fail "download org/tiny exited $rc: $(cat "$TMP/err")"
[[ $out == "$TMP/cache1/models--org--tiny/snapshots/"* ]] || fail "stdout is not the snapshot folder: $out"
cmp -s "$out/model.safetensors" "$repos/models/org/tiny/model.safetensors" || fail "model.safetensors differs"
[[ -L $out/config.json ]] || fail "config.json is not a link into blobs/"
grep -q '^\[3/3\] ' "$TMP/err" || fail "no per-file progress lines on stderr: $(cat "$TMP/err")"

# --include, and a 429 from the API answered by a retry.
export HF_HUB_CACHE=$TMP/cache2
control '{"faults": [{"match": "/api/", "mode": "429", "times": 1}]}'
out=$("$CLI" download org/tiny --include '*.json' 2>"$TMP/err"); rc=$?
[[ $rc == 0 ]] || fail "download --include exited $rc: $(cat "$TMP/err")"
got=$(cd "$out" && ls | tr '\n' ' ')
[[ $got == "config.json tokenizer.json " ]] || fail "--include '*.json' gave: $got"
control '{}'

# A dataset.
out=$("$CLI" download org/data --repo-type dataset 2>"$TMP/err"); rc=$?
[[ $rc == 0 && -f $out/main/train-00000-of-00001.parquet ]] || fail "dataset download exited $rc: $(cat "$TMP/err")"
[[ $out == "$TMP/cache2/datasets--org--data/snapshots/"* ]] || fail "dataset snapshot folder: $out"

# Bad input: exit 2 with a message that says what to do.
expect2() {  # expect2 NEEDLE ARGS...
    local needle=$1; shift
    local err rc
    err=$("$CLI" download "$@" 2>&1 >/dev/null); rc=$?
    [[ $rc == 2 ]] || fail "download $* exited $rc, expected 2: $err"
    grep -qF -- "$needle" <<<"$err" || fail "download $*: expected '$needle' in: $err"
}
expect2 "no such model 'org/nope'" org/nope
expect2 "HF_TOKEN" org/gated
expect2 "unknown option" org/tiny --bogus
expect2 "unknown repo type" org/tiny --repo-type space
HF_HUB_OFFLINE=1 HF_HUB_CACHE=$TMP/empty expect2 "offline" org/tiny

# Ctrl-C during a slow download: exit 130, the partial blob stays; the next run resumes with Range.
export HF_HUB_CACHE=$TMP/cache3
control '{"faults": [{"match": "/cdn/", "method": "GET", "mode": "slow", "rate": 500000, "times": 1}]}'
"$CLI" download org/big >"$TMP/out" 2>"$TMP/err" &
pid=$!
part=
for _ in $(seq 200); do
    part=$(ls "$TMP"/cache3/models--org--big/blobs/*.incomplete 2>/dev/null | head -1)
    [[ -n $part && $(stat -c %s "$part") -gt 100000 ]] && break
    sleep 0.05
done
kill -INT "$pid"
wait "$pid"; rc=$?
[[ $rc == 130 ]] || fail "Ctrl-C: exit $rc, expected 130: $(cat "$TMP/err")"
grep -q "cancelled" "$TMP/err" || fail "Ctrl-C: no 'cancelled' message: $(cat "$TMP/err")"
[[ -n $part && -f $part ]] || fail "Ctrl-C: no partial blob left"
size=$(stat -c %s "$part" 2>/dev/null || echo 0)
[[ -z $(ls -A "$TMP/cache3/models--org--big/snapshots" 2>/dev/null) ]] || fail "Ctrl-C: something under snapshots/"
control '{}'
python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/_log?clear=1")' "$endpoint"
out=$("$CLI" download org/big 2>"$TMP/err"); rc=$?
[[ $rc == 0 ]] || fail "resume exited $rc: $(cat "$TMP/err")"
cmp -s "$out/model.safetensors" "$repos/models/org/big/model.safetensors" || fail "resumed model.safetensors differs"
log=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1] + "/_log").read().decode())' "$endpoint")
grep -q "\"range\": \"bytes=$size-\"" <<<"$log" || fail "the resume sent no Range: bytes=$size-: $log"

if ((fails)); then echo "$fails failure(s)"; exit 1; fi
echo "download.sh: all checks passed"
