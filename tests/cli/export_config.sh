#!/usr/bin/env bash
# reinforge-cli export-config end to end: the TRL / verl / OpenRLHF files, the stderr list of what
# cannot be expressed, --set, and exit 2 for bad input.
# usage: bash export_config.sh <path-to-reinforge-cli> <fixtures-dir>
set -u
CLI=$1
PRESETS=$2/../../resources/presets
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# run NAME ARGS...: runs the CLI with stdout and stderr kept apart in $TMP/NAME.out / .err; sets rc.
run() {
    local name=$1
    shift
    "$CLI" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
    rc=$?
}
has() { grep -qF -- "$2" "$TMP/$1"; }

# TRL from the GRPO preset, to a file: exit 0, the launch line on stdout, the list on stderr.
run trl export-config "$PRESETS/grpo-default.yaml" --to trl --out "$TMP/grpo.yaml"
if [[ $rc -ne 0 ]]; then fail "--to trl exited $rc"; cat "$TMP/trl.err"; fi
[[ -s $TMP/grpo.yaml ]] || fail "--out file not written"
for line in "num_generations: 8" "beta: 0.04" "learning_rate: 5.0e-05" 'loss_type: "grpo"' "lora_alpha: 160"; do
    grep -qxF -- "$line" "$TMP/grpo.yaml" || grep -qF -- "$line  #" "$TMP/grpo.yaml" || fail "grpo.yaml lacks '$line'"
done
has trl.out "trl grpo --config $TMP/grpo.yaml" || fail "stdout lacks the trl launch line: $(cat "$TMP/trl.out")"
has trl.err "not expressible in TRL" || fail "stderr lacks the list"
has trl.err "  reward_functions: r1_accuracy_reward_func" || fail "stderr does not list the r1_* reward functions"
has trl.err "  advantage_std: population — " || fail "stderr does not list advantage_std"
[[ $fails -eq 0 ]] && echo "ok: --to trl --out"
if command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null; then
    python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert d["num_generations"] == 8 and d["beta"] == 0.04 and d["learning_rate"] == 5e-05, d' \
        "$TMP/grpo.yaml" && echo "ok: PyYAML reads the TRL file" || fail "PyYAML does not read grpo.yaml as expected"
fi

# verl and OpenRLHF from the same preset, on stdout; the command line is valid bash syntax.
run verl export-config "$PRESETS/grpo-default.yaml" --to verl
[[ $rc -eq 0 ]] || fail "--to verl exited $rc"
for s in "python3 -m verl.trainer.main_ppo" "algorithm.adv_estimator=grpo" "actor_rollout_ref.rollout.n=8" \
         "actor_rollout_ref.actor.optim.lr=5.0e-05" "data.max_response_length=64"; do
    has verl.out "$s" || fail "verl output lacks $s"
done
has verl.err "not expressible in verl" || fail "verl: stderr lacks the list"
bash -n "$TMP/verl.out" || fail "verl output is not valid bash"
echo "ok: --to verl"

run orl export-config "$PRESETS/grpo-default.yaml" --to openrlhf --set group_size=4 --out "$TMP/orl.sh"
[[ $rc -eq 0 ]] || fail "--to openrlhf exited $rc"
for s in "python3 -m openrlhf.cli.train_ppo_ray" "--advantage_estimator group_norm" "--n_samples_per_prompt 4" "--init_kl_coef 0.04"; do
    has orl.sh "$s" || fail "openrlhf output lacks $s (--set group_size=4 applied?)"
done
has orl.out "bash $TMP/orl.sh" || fail "openrlhf: stdout lacks the launch line"
bash -n "$TMP/orl.sh" || fail "openrlhf output is not valid bash"
echo "ok: --to openrlhf with --set"

# A human judge is listed, with its key and value.
run human export-config "$PRESETS/ppo-human.yaml" --to verl
[[ $rc -eq 0 ]] || fail "ppo-human --to verl exited $rc"
has human.err "  judge: human — " || fail "the human judge is not listed: $(cat "$TMP/human.err")"
has human.err "  train_mode: ppo — " || fail "PPO with a pairwise judge is not listed"
echo "ok: human judge listed"

# Bad input: exit 2.
run bad export-config "$PRESETS/grpo-default.yaml" --to axolotl
[[ $rc -eq 2 ]] || fail "--to axolotl exited $rc, expected 2"
has bad.err "unknown target 'axolotl'" || fail "no message for an unknown target: $(cat "$TMP/bad.err")"
run noto export-config "$PRESETS/grpo-default.yaml"
[[ $rc -eq 2 ]] || fail "no --to exited $rc, expected 2"
run sft export-config "$PRESETS/sft-default.yaml" --to trl
[[ $rc -eq 2 ]] || fail "sft exited $rc, expected 2"
run badset export-config "$PRESETS/grpo-default.yaml" --to trl --set lerning_rate=1
[[ $rc -eq 2 ]] || fail "--set lerning_rate exited $rc, expected 2"
run opt export-config "$PRESETS/grpo-default.yaml" --to trl --frobnicate
[[ $rc -eq 2 ]] || fail "--frobnicate exited $rc, expected 2"
echo "ok: bad input exits 2"

if [[ $fails -ne 0 ]]; then echo "$fails failure(s)"; exit 1; fi
echo "all passed"
