#!/usr/bin/env bash
# reinforge-cli generate end to end on a tiny random Llama (tests/reference/gen_tiny_generate_model.py)
# with the SentencePiece tokenizer of tests/fixtures/text/sentencepiece: determinism, groups,
# max tokens, stop strings, chat template fallback, bf16 decode copies, bf16 compute from hidden 512,
# bad input (exit 2).
# usage: bash generate.sh REINFORGE_CLI FIXTURES_DIR
set -u
cli="$1"; fx="$2"
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
m="$tmp/model"; mkdir -p "$m"
cp "$fx/gen/tiny-llama-sp/config.json" "$fx/gen/tiny-llama-sp/model.safetensors" "$fx/text/sentencepiece/tokenizer.model" "$m/"

bad() { echo "FAIL: $*"; fail=1; }
gen() { "$cli" generate "$m" --prompt "the cat sat on" "$@" 2>"$tmp/err"; }

# greedy is deterministic, and the bf16 decode copies of bf16 weights give the same tokens
g1=$(gen --temperature 0 --max-tokens 20 --show-ids) || bad "greedy exit $?"
g2=$(gen --temperature 0 --max-tokens 20 --show-ids)
[[ "$g1" == "$g2" ]] || bad "greedy runs differ"
grep -q "finish: " "$tmp/err" || bad "no finish line on stderr: $(cat "$tmp/err")"
g3=$(gen --temperature 0 --max-tokens 20 --show-ids --bf16) || bad "bf16 exit $?"
[[ "$g1" == "$g3" ]] || bad "bf16 greedy differs from float32: '$g1' vs '$g3'"

# seeded sampling reproduces; another seed gives other tokens
s1=$(gen --seed 5 --temperature 1.0 --max-tokens 16 --show-ids | grep '^ids:')
s2=$(gen --seed 5 --temperature 1.0 --max-tokens 16 --show-ids | grep '^ids:')
s3=$(gen --seed 6 --temperature 1.0 --max-tokens 16 --show-ids | grep '^ids:')
[[ -n "$s1" && "$s1" == "$s2" ]] || bad "same seed, different tokens: '$s1' vs '$s2'"
[[ "$s1" != "$s3" ]] || bad "seeds 5 and 6 gave the same tokens"

# a greedy group of 3 is 3 identical completions; sampling with top-k / top-p / min-p runs
grp=$(gen --n 3 --temperature 0 --max-tokens 6 --show-ids | grep '^ids:' | sort -u | wc -l)
[[ "$grp" == 1 ]] || bad "greedy group of 3 is not identical ($grp distinct)"
[[ $(grep -c "finish: " "$tmp/err") == 3 ]] || bad "expected 3 finish lines"
gen --n 4 --temperature 0.8 --top-p 0.9 --top-k 20 --min-p 0.05 --max-tokens 8 >/dev/null || bad "filters exit $?"

# max tokens
ids=$(gen --temperature 0 --max-tokens 4 --show-ids | grep '^ids:' | wc -w)
(( ids - 1 <= 4 )) || bad "more than 4 tokens with --max-tokens 4"

# a stop string: the greedy text of 6 tokens (up to any U+FFFD) stops the 20-token run right after it
stop=$(gen --temperature 0 --max-tokens 6)
stop=${stop%%$'\xef\xbf\xbd'*}
if [[ -n "$stop" ]]; then
  out=$(gen --temperature 0 --max-tokens 20 --stop "$stop")
  [[ "$out" == "$stop" ]] || bad "stop string: expected '$stop', got '$out'"
  grep -q "finish: stop_string" "$tmp/err" || bad "stop string: $(cat "$tmp/err")"
else
  echo "note: greedy text starts with an incomplete character; stop-string check skipped"
fi

# the model has no chat template: ChatML fallback, said on stderr
gen --chat --temperature 0 --max-tokens 4 >/dev/null || bad "--chat exit $?"
grep -q "ChatML" "$tmp/err" || bad "--chat did not mention the ChatML fallback: $(cat "$tmp/err")"

# a model from hidden size 512 on computes in bf16 as a run would (compute_dtype auto) where bf16
# compute runs (info --system), says so, and --bf16 then reuses its twins
# (the same greedy tokens)
w="$tmp/wide"; mkdir -p "$w"
cp "$fx/text/sentencepiece/tokenizer.model" "$w/"
sed -e 's/"hidden_size": 32/"hidden_size": 512/' -e 's/"intermediate_size": 64/"intermediate_size": 256/' \
    -e 's/"num_hidden_layers": 2/"num_hidden_layers": 1/' "$fx/gen/tiny-llama-sp/config.json" > "$w/config.json"
"$cli" init-model "$w" --seed 3 >/dev/null || bad "init-model (hidden 512) exit $?"
wide() { "$cli" generate "$w" --prompt "the cat sat on" --temperature 0 --max-tokens 8 --show-ids "$@" 2>"$tmp/err"; }
w1=$(wide) || bad "generate (hidden 512) exit $?: $(cat "$tmp/err")"
if "$cli" info --system | grep -q "^bf16 compute: yes"; then
  grep -q "bf16 compute" "$tmp/err" || bad "hidden 512 on a bf16 CPU did not compute in bf16: $(cat "$tmp/err")"
  w2=$(wide --bf16)
  [[ "$w1" == "$w2" ]] || bad "--bf16 with bf16 compute differs: '$w1' vs '$w2'"
else
  grep -q "bf16 compute" "$tmp/err" && bad "bf16 compute without bf16 units: $(cat "$tmp/err")"
fi

# bad input: exit 2 with a message naming the option
expect2() {  # expect2 NEEDLE ARGS...
  local needle="$1"; shift
  "$cli" generate "$@" >/dev/null 2>"$tmp/err"; local rc=$?
  [[ $rc == 2 ]] || bad "exit $rc (want 2) for: $*"
  grep -qF -- "$needle" "$tmp/err" || bad "no '$needle' in error for $*: $(cat "$tmp/err")"
}
expect2 "temperature" "$m" --prompt hi --temperature -1
expect2 "top_p" "$m" --prompt hi --top-p 1.5
expect2 "--prompt" "$m"
expect2 "--n" "$m" --prompt hi --n 0
expect2 "--bogus" "$m" --prompt hi --bogus
expect2 "--max-tokens" "$m" --prompt hi --max-tokens abc
expect2 "no-such-model" "$tmp/no-such-model" --prompt hi

[[ $fail == 0 ]] && echo "generate.sh: all checks passed"
exit $fail
