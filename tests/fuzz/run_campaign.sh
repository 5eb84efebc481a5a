#!/usr/bin/env bash
# The fuzz campaign: builds the libFuzzer targets in build-fuzz/ (clang, ASan + UBSan) and runs each one
# in turn, then prints per target the executions, the coverage (libFuzzer's last `cov:` edge count)
# and the findings (crash-*/leak-*/timeout-*/oom-* files).
#
#   tests/fuzz/run_campaign.sh [--execs N | --seconds S] [--cap S] [target...]  (default: --execs 1000000, all)
#
# --cap S stops a target after S seconds even when it has not reached N executions (the table then
# shows how far it got).
# Targets are fuzz_* names (or without the prefix). Each runs with a work corpus outside the repo,
# $FUZZ_WORK/<target>/corpus (default FUZZ_WORK=/tmp/rf-fuzz-work), started from tests/fuzz/corpus/<target>
# (read only), with -rss_limit_mb=2048 -timeout=10 and a per-target -max_len and dictionary. Findings
# land in $FUZZ_WORK/<target>/artifacts/; add each one to tests/fuzz/corpus/<target>/regress_<what>
# once fixed, so test_fuzz_corpus replays it in every ctest run. Logs: $FUZZ_WORK/<target>/fuzz.log.
# The build runs under `nice -n 10`, the fuzzers under `nice -n $NICE` (default 19: they yield to any
# build on a shared machine), one fuzzer process at a time. JOBS (default 2) sets build jobs.
# Exit status: 0 when no target has a finding, 1 otherwise, 2 for usage or build errors.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${FUZZ_BUILD:-$ROOT/build-fuzz}
WORK=${FUZZ_WORK:-/tmp/rf-fuzz-work}
JOBS=${JOBS:-2}
NICE=${NICE:-19}
MODE=runs
AMOUNT=1000000
CAP=

# target  max_len  dictionary (in tests/fuzz/, "-" for none)
TABLE="
fuzz_safetensors          4096   safetensors.dict
fuzz_model_config         4096   json.dict
fuzz_parquet              16384  -
fuzz_run_config           4096   yaml.dict
fuzz_dataset              4096   json.dict
fuzz_tokenizer_json       8192   json.dict
fuzz_chat_template        4096   jinja.dict
fuzz_safetensors_index    2048   json.dict
fuzz_adapter_config       1024   json.dict
fuzz_run_state            1024   json.dict
fuzz_http_judge_reply     1024   json.dict
fuzz_reward_worker_reply  1024   json.dict
fuzz_hub_repo_info        2048   json.dict
"

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --execs) MODE=runs; AMOUNT=${2:?}; shift 2 ;;
    --seconds) MODE=time; AMOUNT=${2:?}; shift 2 ;;
    --cap) CAP=${2:?}; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "unknown option $1" >&2; usage ;;
    *) t=$1; [[ $t == fuzz_* ]] || t=fuzz_$t
       echo "$TABLE" | awk '{print $1}' | grep -qx "$t" || { echo "unknown target $1" >&2; exit 2; }
       targets+=("$t"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=($(echo "$TABLE" | awk 'NF {print $1}'))

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ nice -n 10 cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DREINFORGE_FUZZ=ON -DREINFORGE_BUILD_GUI=OFF -DREINFORGE_BUILD_BENCH=OFF >/dev/null || exit 2
fi
nice -n 10 cmake --build "$BUILD" -j "$JOBS" --target "${targets[@]}" || { echo "build failed" >&2; exit 2; }

found=0
summary=$WORK/summary.tsv
mkdir -p "$WORK"
printf 'target\texecutions\tedges\tfindings\tseconds\n' > "$summary"
for t in "${targets[@]}"; do
  read -r _ maxlen dict <<<"$(echo "$TABLE" | awk -v t="$t" '$1 == t')"
  dir=$WORK/$t
  mkdir -p "$dir/corpus" "$dir/artifacts"
  args=(-rss_limit_mb=2048 -timeout=10 -max_len="$maxlen" -print_final_stats=1 -artifact_prefix="$dir/artifacts/")
  [ "$dict" != - ] && args+=(-dict="$ROOT/tests/fuzz/$dict")
  if [ "$MODE" = runs ]; then args+=(-runs="$AMOUNT"); else args+=(-max_total_time="$AMOUNT"); fi
  [ -n "$CAP" ] && args+=(-max_total_time="$CAP")
  echo "== $t (${MODE}=$AMOUNT, max_len $maxlen)" >&2
  touch "$dir/.start"  # findings are the artifacts of this run only
  start=$(date +%s)
  TMPDIR=$dir nice -n "$NICE" "$BUILD/tests/fuzz/$t" "${args[@]}" "$dir/corpus" "$ROOT/tests/fuzz/corpus/$t" >"$dir/fuzz.log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/fuzz.log" | tail -1 | grep -o '[0-9]*$')
  [ -n "$execs" ] || execs=$(grep -o '^#[0-9]*' "$dir/fuzz.log" | tail -1 | tr -d '#')
  edges=$(grep -o 'cov: [0-9]*' "$dir/fuzz.log" | tail -1 | grep -o '[0-9]*')
  findings=$(find "$dir/artifacts" -maxdepth 1 -type f -newer "$dir/.start" \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  [ "$findings" -gt 0 ] && found=1
  [ "$rc" -ne 0 ] && [ "$findings" -eq 0 ] && { findings="rc=$rc"; found=1; }
  printf '%s\t%s\t%s\t%s\t%s\n' "$t" "${execs:-?}" "${edges:-?}" "$findings" "$secs" >> "$summary"
  printf '%-26s executions %-9s edges %-6s findings %s (%ss)\n' "$t" "${execs:-?}" "${edges:-?}" "$findings" "$secs"
  find "$dir/artifacts" -maxdepth 1 -type f -newer "$dir/.start" | sed 's/^/    /'
done
echo "summary: $summary" >&2
exit $found
