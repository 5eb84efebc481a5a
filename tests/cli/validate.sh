#!/usr/bin/env bash
# reinforge-cli validate / config-doc end to end: exit codes and messages.
# usage: bash validate.sh <path-to-reinforge-cli> <fixtures-dir>
set -u
CLI=$1
FIX=$2/config
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0

# expect CODE SUBSTRING -- ARGS...: runs the CLI, checks the exit code and that stdout+stderr contain SUBSTRING.
expect() {
    local code=$1 needle=$2
    shift 3
    local out rc
    out=$("$CLI" "$@" 2>&1)
    rc=$?
    if [[ $rc -ne $code ]]; then
        echo "FAIL: reinforge-cli $* exited $rc, expected $code"; echo "$out" | head -20; fails=$((fails + 1)); return
    fi
    if [[ -n $needle && $out != *"$needle"* ]]; then
        echo "FAIL: reinforge-cli $*: output lacks: $needle"; echo "$out" | head -20; fails=$((fails + 1)); return
    fi
    echo "ok: reinforge-cli $*"
}

expect 0 "ok" -- validate "$FIX/good/grpo_minimal.yaml"
expect 0 "ok" -- validate "$FIX/good/studio_docs_dataset_list.yaml"
expect 0 "warning: group_size (line 4): is ignored with train_mode sft" -- validate "$FIX/warn/group_size_sft.yaml"
expect 2 "unknown key 'lerning_rate' (line 7) — did you mean 'learning_rate'?" -- validate "$FIX/bad/unknown_key.yaml"
expect 2 "temperature (line 5): 0 (greedy) is invalid with train_mode grpo" -- validate "$FIX/bad/grpo_temperature_zero.yaml"
expect 0 "ok" -- validate "$FIX/bad/grpo_temperature_zero.yaml" --set temperature=0.7
expect 2 "--set batch_size=0: expected an integer >= 1, got '0'" -- validate "$FIX/good/grpo_minimal.yaml" --set batch_size=0
expect 2 "did you mean 'learning_rate'" -- validate "$FIX/good/grpo_minimal.yaml" --set lerning_rate=1e-4
expect 2 "not supported by Reinforge" -- validate "$FIX/bad/unsupported_mode.yaml"
expect 2 "1 error" -- validate "$FIX/bad/epsilon_high_below.yaml"
# The reference's example names a reward file that is not here: validate checks files the run needs.
expect 2 "reward_functions_file" -- validate "$FIX/good/mlx_lm_lora_grpo.yaml"
expect 0 "ok" -- validate "$FIX/good/mlx_lm_lora_grpo.yaml" --set reward_functions_file=
expect 2 "no-such-file.yaml" -- validate "$FIX/no-such-file.yaml"
expect 2 "expects exactly one CONFIG.yaml" -- validate
expect 2 "unknown option" -- validate "$FIX/good/grpo_minimal.yaml" --frobnicate

# --resolved prints the resolved config; it validates again with no issue at all and the same values.
"$CLI" validate "$FIX/good/grpo_minimal.yaml" --set group_size=6 --resolved > "$TMP/out.txt" 2>&1
tail -n +2 "$TMP/out.txt" > "$TMP/resolved.yaml"
if grep -q '^group_size: 6$' "$TMP/resolved.yaml" && grep -q '^top_k: 20$' "$TMP/resolved.yaml" &&
   grep -q '^schema_version: 1$' "$TMP/resolved.yaml"; then echo "ok: --resolved"; else
    echo "FAIL: --resolved output"; head -30 "$TMP/out.txt"; fails=$((fails + 1)); fi
out=$("$CLI" validate "$TMP/resolved.yaml" 2>&1)
if [[ $? -eq 0 && $out == "ok" ]]; then echo "ok: resolved file validates cleanly"; else
    echo "FAIL: resolved file: $out"; fails=$((fails + 1)); fi
"$CLI" validate "$TMP/resolved.yaml" --resolved | tail -n +2 > "$TMP/again.yaml"
if cmp -s "$TMP/resolved.yaml" "$TMP/again.yaml"; then echo "ok: export is a fixed point"; else
    echo "FAIL: re-export differs"; diff "$TMP/resolved.yaml" "$TMP/again.yaml" | head; fails=$((fails + 1)); fi

# config-doc prints docs/config.md.
DOC="$2/../../docs/config.md"
if "$CLI" config-doc | cmp -s - "$DOC"; then echo "ok: config-doc == docs/config.md"; else
    echo "FAIL: config-doc differs from docs/config.md"; fails=$((fails + 1)); fi

if [[ $fails -ne 0 ]]; then echo "$fails failure(s)"; exit 1; fi
echo "all passed"
