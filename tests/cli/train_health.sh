#!/usr/bin/env bash
# The CLI prints the engine's health warnings (engine/rl/health.h) while it trains: a GRPO run of the
# embedded default whose completions are all cut at 4 tokens raises "truncated" once (not every step).
set -euo pipefail
cli=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$cli" train "$root/resources/presets/grpo-default.yaml" --set iters=3 --set max_completion_length=4 \
    --set steps_per_eval=0 --set output_dir="$t/run" 2> "$t/train.log" || { cat "$t/train.log"; fail "train exited $?"; }
n=$(grep -c "warning at step [0-9]* (truncated): Every completion hits max_completion_length" "$t/train.log" || true)
[[ "$n" == 1 ]] || { cat "$t/train.log"; fail "expected the truncated warning once, got $n"; }
grep -q "^math: OpenBLAS" "$t/train.log" || { cat "$t/train.log"; fail "the run log does not name the math kernels"; }
echo "ok: the truncated warning printed once; $(grep -m1 '^math:' "$t/train.log")"
