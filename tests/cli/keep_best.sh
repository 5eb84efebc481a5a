#!/usr/bin/env bash
# keep_best end to end (docs/runs.md): a tiny SFT run keeps its best validation step in
# adapters/best_adapters.safetensors + best.json (mode max on val_loss: the untrained start, so the
# kept weights are not the final ones); fuse/export --adapters best use them and differ from latest;
# a run without best.json is refused with exit 2 and a message naming best.json.
set -euo pipefail
cli=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

source "$root/tests/support/tiny_model.sh"
make_tiny_model "$cli" "$t/model" 5
mkdir -p "$t/data"
head -n 12 "$root/resources/datasets/arithmetic-sft/train.jsonl" > "$t/data/train.jsonl"
head -n 6 "$root/resources/datasets/arithmetic-sft/valid.jsonl" > "$t/data/valid.jsonl"

cat > "$t/run.yaml" <<YAML
model: $t/model
data: $t/data
train_mode: sft
train_type: lora
iters: 6
batch_size: 4
learning_rate: 3.0e-3
steps_per_eval: 2
save_every: 0
keep_best: val_loss
keep_best_mode: max
output_dir: $t/run
YAML
"$cli" train "$t/run.yaml" 2> "$t/train.log" || fail "train: $(cat "$t/train.log")"
grep -q "best val_loss .* at step [0-9]* (kept)" "$t/train.log" || fail "no '(kept)' line: $(cat "$t/train.log")"
[[ -f "$t/run/best.json" && -f "$t/run/adapters/best_adapters.safetensors" ]] || fail "no best.json / best_adapters.safetensors"
grep -q '"metric": "val_loss"' "$t/run/best.json" || fail "best.json: $(cat "$t/run/best.json")"
grep -q '"mode": "max"' "$t/run/best.json" || fail "best.json: $(cat "$t/run/best.json")"
cmp -s "$t/run/adapters/best_adapters.safetensors" "$t/run/adapters/adapters.safetensors" \
  && fail "the best (mode max) are the final adapters"

# fuse: best and latest differ; best goes to fused-best by default
out=$("$cli" fuse "$t/run" --adapters best 2>&1) || fail "fuse --adapters best: $out"
grep -qF "$t/run/fused-best" <<<"$out" || fail "fuse --adapters best wrote elsewhere: $out"
"$cli" fuse "$t/run" > /dev/null 2>&1 || fail "fuse (latest)"
"$cli" fuse "$t/run" --adapters latest --out "$t/fused-latest" > /dev/null 2>&1 || fail "fuse --adapters latest"
cmp -s "$t/run/fused/model.safetensors" "$t/fused-latest/model.safetensors" || fail "--adapters latest is not the default"
cmp -s "$t/run/fused-best/model.safetensors" "$t/run/fused/model.safetensors" && fail "fused best equals fused latest"
"$cli" fuse "$t/run" --checkpoint best_adapters.safetensors --out "$t/fused-ck" > /dev/null 2>&1 || fail "fuse --checkpoint"
cmp -s "$t/run/fused-best/model.safetensors" "$t/fused-ck/model.safetensors" || fail "--adapters best is not best_adapters.safetensors"

# export: the same weights as fuse
err=$("$cli" export "$t/run" --format hf --adapters best --out "$t/hf-best" 2>&1 >/dev/null) || fail "export --adapters best: $err"
grep -q "note: the best adapters: val_loss" <<<"$err" || fail "export names no best: $err"
cmp -s "$t/run/fused-best/model.safetensors" "$t/hf-best/model.safetensors" || fail "export --adapters best differs from fuse"
"$cli" export "$t/run" --format gguf --adapters best --out "$t/best.gguf" > /dev/null 2>&1 || fail "export gguf --adapters best"

# a run without best.json: exit 2, best.json named
cp -r "$t/run" "$t/plain"
rm "$t/plain/best.json"
set +e
err=$("$cli" fuse "$t/plain" --adapters best 2>&1); rc=$?
[[ $rc == 2 ]] || fail "fuse --adapters best without best.json exited $rc: $err"
grep -q "best.json is missing" <<<"$err" || fail "unclear message: $err"
err=$("$cli" export "$t/plain" --format hf --out "$t/x" --adapters best 2>&1); rc=$?
[[ $rc == 2 ]] || fail "export --adapters best without best.json exited $rc: $err"
grep -q "best.json is missing" <<<"$err" || fail "unclear message: $err"
err=$("$cli" fuse "$t/run" --adapters newest 2>&1); rc=$?
[[ $rc == 2 ]] || fail "--adapters newest exited $rc"
grep -q "expected latest or best" <<<"$err" || fail "unclear message: $err"
set -e
echo ok
