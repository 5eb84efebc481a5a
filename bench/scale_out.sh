#!/usr/bin/env bash
# Data-parallel scaling on this machine (issue 17, docs/scale-out.md): the embedded default's GRPO
# preset run as 1 rank x 1 thread, 1 rank x 2 threads and `mpirun -np 2` (2 ranks x 1 thread each),
# alternated over ROUNDS rounds so a change of load hits every configuration alike. Per configuration:
# the median (and least) step time over steps 2..ITERS of every round (step 1 warms caches), trained tokens per
# second (completion tokens trained / step time) and the split generate / score / train (slowest
# rank). Needs an idle machine: `uptime` is printed before and after; compare only within one run.
# usage: bench/scale_out.sh [BUILD_DIR] [ITERS] [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
iters=${2:-12}
rounds=${3:-2}
cli=$build/app/reinforge-cli
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
if [[ $(id -u) == 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMPI_MCA_btl=self,vader
# no CMA single-copy: containers often forbid process_vm_readv ("Read -1, expected …, errno = 1")
export OMPI_MCA_btl_vader_single_copy_mechanism=none
run=("$cli" train "$root/resources/presets/grpo-default.yaml" --set iters="$iters" --set steps_per_eval=0 --set save_every=0)
echo "before: $(uptime)"
for r in $(seq 1 "$rounds"); do
  REINFORGE_THREADS=1 OPENBLAS_NUM_THREADS=1 "${run[@]}" --set output_dir="$t/1x1-$r" 2> /dev/null
  REINFORGE_THREADS=2 OPENBLAS_NUM_THREADS=2 "${run[@]}" --set output_dir="$t/1x2-$r" 2> /dev/null
  mpirun --oversubscribe -np 2 "${run[@]}" --set output_dir="$t/2x1-$r" < /dev/null > /dev/null 2>&1
done
echo "after:  $(uptime)"
python3 - "$t" "$rounds" <<'PY'
import json, statistics, sys
t, rounds = sys.argv[1], int(sys.argv[2])
print(f"{'ranks x threads':<16} {'step s (median)':>16} {'min':>6} {'trained tok/s':>14} {'generate s':>11} {'score s':>8} {'train s':>8}")
base = None
for name in ("1x1", "1x2", "2x1"):
    rows = []
    for r in range(1, rounds + 1):
        rows += [json.loads(l) for l in open(f"{t}/{name}-{r}/metrics.jsonl") if '"train"' in l][1:]
    step = statistics.median(x["step_time"] for x in rows)
    toks = sum(x["avg_generated_tokens"] * 32 for x in rows) / sum(x["step_time"] for x in rows)  # 4 prompts x 8
    med = lambda k: statistics.median(x[k] for x in rows)
    base = base or step
    print(f"{name:<16} {step:>16.3f} {min(x['step_time'] for x in rows):>6.3f} {toks:>14.0f} {med('time_generate'):>11.3f} {med('time_score'):>8.3f} "
          f"{med('time_train'):>8.3f}   speed-up vs 1x1: {base / step:.2f}")
PY
