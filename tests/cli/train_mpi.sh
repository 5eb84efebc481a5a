#!/usr/bin/env bash
# Data-parallel training over Open MPI (docs/scale-out.md): `mpirun --oversubscribe -np 2` GRPO,
# REINFORCE, RLOO, PPO and SFT runs on the embedded default against the one-process run with the same global
# batch, compared by tests/support/compare_runs.py (identical rollouts; metrics within rel 1e-4;
# adapters within 1e-5: the order of the floating-point additions is the only difference). Covers
# the GRPO loss normalisations that need batch-wide counts (grpo; bnpo with scale_rewards: batch and
# uneven shards; dapo with gradient accumulation and two passes), REINFORCE's batch baselines, PPO,
# killing one rank (the job ends with an error, the last checkpoint stays whole), resuming with a
# different number of processes (2 -> 1 and 1 -> 2), and a stop with a checkpoint (SIGUSR1 to mpirun).
# Skipped (exit 77) when mpirun is missing or this build has no MPI.
set -euo pipefail
cli=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v mpirun > /dev/null || { echo "SKIP: mpirun not found (Debian: openmpi-bin libopenmpi-dev)"; exit 77; }
t=$(mktemp -d)
jobs_pids=()
cleanup() { for p in "${jobs_pids[@]}"; do kill -9 "$p" 2> /dev/null || true; done; rm -rf "$t"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
if [[ $(id -u) == 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMPI_MCA_btl=self,vader  # one machine: shared memory (no probing of network interfaces)
# no CMA single-copy: containers often forbid process_vm_readv ("Read -1, expected …, errno = 1")
export OMPI_MCA_btl_vader_single_copy_mechanism=none
compare="python3 $root/tests/support/compare_runs.py"
preset="$root/resources/presets/grpo-default.yaml"
small=(--set steps_per_eval=0 --set max_completion_length=32)
mpi() { mpirun --oversubscribe -np "$1" "${@:2}" < /dev/null; }  # mpirun would read the script's stdin

# 0. a build without MPI says so: skip
if ! mpi 2 "$cli" train "$preset" "${small[@]}" --set iters=1 --set output_dir="$t/probe" > "$t/probe.log" 2>&1; then
  grep -q "built without MPI" "$t/probe.log" && { echo "SKIP: this reinforge-cli was built without MPI"; exit 77; }
  fail "2-rank probe run: $(tail -20 "$t/probe.log")"
fi
grep -q "data-parallel: 2 ranks" "$t/probe.log" || fail "the probe run was not data-parallel: $(cat "$t/probe.log")"
(( $(grep -c '"phase":"train"' "$t/probe/metrics.jsonl") == 1 )) || fail "rank 0 alone writes metrics"

# 1. equivalence: N=1 and N=2 on the same global batch. GRPO with the loss normalisations that need
#    batch-wide counts; REINFORCE with the baselines that need the batch; RLOO (group baselines);
#    PPO (the judge's A/B draws, decided pairs counted over ranks, gradient accumulation); SFT. The
#    first also evaluates (validation after every step, the test split at the end: rank 0 alone)
presets=$root/resources/presets
i=0
while read -r file sets; do
  i=$((i + 1))
  # shellcheck disable=SC2086
  "$cli" train "$presets/$file" "${small[@]}" $sets --set output_dir="$t/one$i" < /dev/null 2> "$t/one$i.log" || fail "1-process run $i: $(tail "$t/one$i.log")"
  # shellcheck disable=SC2086
  mpi 2 "$cli" train "$presets/$file" "${small[@]}" $sets --set output_dir="$t/two$i" < /dev/null > "$t/two$i.log" 2>&1 || fail "2-rank run $i: $(tail "$t/two$i.log")"
  $compare "$t/one$i" "$t/two$i" || fail "run $i ($file $sets): 2 ranks differ from 1 process"
done <<'RUNS'
grpo-default.yaml --set iters=2 --set steps_per_eval=1 --set val_batches=1 --set test=true --set test_batches=1
grpo-default.yaml --set iters=2 --set batch_size=3 --set grpo_loss_type=bnpo --set scale_rewards=batch
grpo-default.yaml --set iters=1 --set grpo_loss_type=dapo --set gradient_accumulation_steps=2 --set num_iterations=2
reinforce-default.yaml --set iters=2 --set baseline=running_mean --set batch_size=3
rloo-default.yaml --set iters=2
ppo-default.yaml --set iters=2 --set batch_size=5 --set gradient_accumulation_steps=2
sft-default.yaml --set iters=3 --set batch_size=5 --set gradient_accumulation_steps=2
RUNS

# 2. kill one rank of a 2-rank run after its checkpoint at step 2: the job ends with an error and the
#    checkpoint stays whole; resume it with ONE process and compare with an uninterrupted run. The
#    kill lands in step 4 on any machine: a reward function (reward 0, both runs have it) pauses
#    there on both ranks (tests/support/pause_reward.sh).
source "$root/tests/support/pause_reward.sh"
write_pause_reward "$t/rewards.py" "$t"
long=(--set iters=6 --set save_every=2 --set reward_functions_file="$t/rewards.py"
      --set 'reward_functions=[r1_accuracy_reward_func, r1_int_reward_func, r1_strict_format_reward_func, r1_soft_format_reward_func, r1_count_xml, pace]')
"$cli" train "$preset" "${small[@]}" "${long[@]}" --set output_dir="$t/ref" 2> "$t/ref.log" || fail "reference run"
echo 4 > "$t/pause_at"
mpirun --oversubscribe -np 2 "$cli" train "$preset" "${small[@]}" "${long[@]}" --set output_dir="$t/killed" > "$t/killed.log" 2>&1 &
mpirun_pid=$!
jobs_pids+=("$mpirun_pid")
for _ in $(seq 1 1200); do [[ -f $t/paused ]] && break; kill -0 "$mpirun_pid" 2> /dev/null || break; sleep 0.05; done
[[ -f $t/paused ]] || fail "the 2-rank run did not pause in step 4: $(tail "$t/killed.log")"
grep -q '"step": 2,' "$t/killed/state.json" || fail "no checkpoint of step 2 before the kill: $(tail "$t/killed.log")"
rank1=""
for p in $(pgrep -P "$mpirun_pid"); do
  tr '\0' '\n' < "/proc/$p/environ" 2> /dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1" && rank1=$p
done
[[ -n "$rank1" ]] || fail "rank 1 not found among mpirun's children"
kill -9 "$rank1"
set +e
timeout 60 tail --pid="$mpirun_pid" -f /dev/null; wait "$mpirun_pid"; rc=$?
set -e
(( rc != 0 && rc != 124 )) || fail "killing rank 1 did not end the job with an error (exit $rc)"
grep -qiE "rank 1|process rank 1|exited on signal 9" "$t/killed.log" || fail "no clear message: $(cat "$t/killed.log")"
"$cli" train --resume "$t/killed" 2> "$t/resume1.log" || fail "resume with 1 process: $(tail "$t/resume1.log")"
grep -q "resumed at step" "$t/resume1.log" || fail "not resumed: $(cat "$t/resume1.log")"
$compare "$t/ref" "$t/killed" || fail "killed 2-rank run resumed with 1 process differs from the uninterrupted run"

# 3. a one-process run stopped early, resumed with 2 ranks
"$cli" train "$preset" "${small[@]}" "${long[@]}" --set iters=3 --set output_dir="$t/short" 2> /dev/null || fail "short run"
python3 - "$t/short/config.yaml" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
open(p, "w").write(re.sub(r"(?m)^iters: .*$", "iters: 6", s))
PY
grep -q "^iters: 6" "$t/short/config.yaml" || fail "could not extend the short run"
mpi 2 "$cli" train --resume "$t/short" > "$t/resume2.log" 2>&1 || fail "resume with 2 ranks: $(tail "$t/resume2.log")"
$compare "$t/ref" "$t/short" || fail "1-process run resumed with 2 ranks differs from the uninterrupted run"

# 4. stop with a checkpoint: SIGUSR1 to mpirun reaches every rank (SIGINT becomes SIGTERM + SIGKILL
#    1 s later); the ranks agree on the stop after a step, rank 0 checkpoints, the job exits 0
mpirun --oversubscribe -np 2 "$cli" train "$preset" "${small[@]}" --set iters=200 --set output_dir="$t/int" < /dev/null > "$t/int.log" 2>&1 &
int_pid=$!
jobs_pids+=("$int_pid")
for _ in $(seq 1 600); do
  [[ -f "$t/int/metrics.jsonl" ]] && (( $(wc -l < "$t/int/metrics.jsonl") >= 1 )) && break
  sleep 0.05
done
kill -USR1 "$int_pid"
set +e
timeout 120 tail --pid="$int_pid" -f /dev/null; wait "$int_pid"; rc=$?
set -e
(( rc == 0 )) || fail "SIGUSR1: mpirun exited $rc: $(tail "$t/int.log")"
grep -q "continue with: reinforge-cli train --resume" "$t/int.log" || fail "SIGUSR1: no checkpoint line: $(tail "$t/int.log")"
stopped=$(sed -n 's/^ *"step": *\([0-9]*\).*/\1/p' "$t/int/state.json")
(( stopped >= 1 && stopped < 200 )) || fail "SIGUSR1: stopped at step '$stopped'"

# 5. refusals: what does not run data-parallel yet, and batch_size below the ranks
set +e
mpi 2 "$cli" train "$root/resources/presets/ppo-default.yaml" --set ppo_advantage=logprob_gap --set output_dir="$t/gap" > "$t/gap.log" 2>&1; rc=$?
set -e
(( rc == 2 )) && grep -q "does not run data-parallel" "$t/gap.log" || fail "logprob_gap under 2 ranks was not refused: $(tail "$t/gap.log")"
set +e
mpi 2 "$cli" train "$preset" --set batch_size=1 --set output_dir="$t/b1" > "$t/b1.log" 2>&1; rc=$?
set -e
(( rc == 2 )) && grep -q "batch_size 1 is smaller than the 2 ranks" "$t/b1.log" || fail "batch_size 1 under 2 ranks: $(tail "$t/b1.log")"
[[ ! -e "$t/b1" ]] || fail "a refused run created its folder"
echo "ok"
