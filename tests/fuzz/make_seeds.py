#!/usr/bin/env python3
"""Writes the seed corpora tests/fuzz/corpus/<target>/seed_* from tests/fixtures and small
hand-written examples of each format. Rerun after changing a target's input layout (targets/*.h).
regress_* files (inputs of past findings) are never touched."""
import glob, json, os, shutil, struct

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures")
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed_" + name), "wb") as f:
        f.write(data)


def copy(target, paths):
    for p in sorted(paths):
        with open(p, "rb") as f:
            put(target, os.path.basename(p), f.read())


# older targets
copy("fuzz_safetensors", [os.path.join(FIX, "io/reference.safetensors"),
                          os.path.join(FIX, "io/tiny-qwen3-sharded/model-00002-of-00002.safetensors")])
copy("fuzz_model_config", glob.glob(os.path.join(FIX, "model/*/config.json")) and
     [os.path.join(FIX, "model", m, "config.json") for m in ("llama", "qwen2", "qwen3")])
copy("fuzz_parquet", [os.path.join(FIX, "parquet", n) for n in
                      ("hyparquet_writer_types.parquet", "arrow_map.parquet", "gsm8k_like.parquet",
                       "arrow_snappy_v2_dict.parquet", "arrow_delta.parquet")])

# run config YAML (+ "#set key=value" lines)
copy("fuzz_run_config", glob.glob(os.path.join(FIX, "config/good/*.yaml")) +
     [os.path.join(FIX, "config/bad", n) for n in ("alias_bomb.yaml", "duplicate_key.yaml", "nested_not_mapping.yaml",
                                                    "lr_schedule_args.yaml", "optimizer_config_unknown.yaml")])
with open(os.path.join(FIX, "config/good/grpo_minimal.yaml")) as f:
    put("fuzz_run_config", "with_sets.yaml", f.read() + "#set learning_rate=2e-5\n#set lr_schedule.name=cosine_decay\n"
        "#set reward_weights=[1, 0.5]\n#set optimizer_config.adamw.betas=[0.9, 0.95]\n")

# dataset: byte 0 = kind | skip_bad_rows << 2 | mapping << 3, then [mapping line] + JSONL
SFT, PROMPTS, GRPO, PREF = 0, 1, 2, 3
put("fuzz_dataset", "sft_chat", bytes([SFT]) + b'{"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}\n'
    b'{"prompt": "2+2?", "completion": "4"}\n{"text": "plain text row"}\n')
put("fuzz_dataset", "prompts", bytes([PROMPTS]) + b'{"prompt": "Write a haiku", "system": "You are terse."}\n'
    b'{"prompt": [{"role": "user", "content": "Hi"}]}\n\n{"prompt": 12}\r\n')
put("fuzz_dataset", "grpo", bytes([GRPO]) + b'{"prompt": "What is 6*7?", "answer": "#### 42", "type": "math"}\n'
    b'{"prompt": "x", "answer": 3}\n')
put("fuzz_dataset", "preference", bytes([PREF | 4]) + b'{"prompt": "p", "chosen": "a", "rejected": "b", "preference_score": 0.7}\n'
    b'{"prompt": "p", "chosen": "a"}\n')
put("fuzz_dataset", "grpo_mapping", bytes([GRPO | 8]) + b"question\tsolution\tkind\tsys\tmessages\tcompletion\ttext\tchosen\trejected\tpreference_score\tgsm8k\n"
    b'{"question": "q", "solution": "blah #### 7"}\n')
put("fuzz_dataset", "mapping_regex", bytes([GRPO | 8 | 4]) + b"prompt\tanswer\t\t\t\t\t\t\t\t\t\\\\boxed\\{(.*)\\}\n"
    b'{"prompt": "q", "answer": "so \\\\boxed{12}"}\n{"prompt": "q", "answer": "none"}\n')
with open(os.path.join(FIX, "recorded/grpo_preset_healthy.jsonl"), "rb") as f:
    put("fuzz_dataset", "recorded_prompts", bytes([PROMPTS | 4]) + f.read()[:3000])

# tokenizer.json: small hand-written ones covering the pipeline's parts
def bytelevel_vocab():
    vocab, n = {}, 0
    for c in "abcdefghijklmnopqrstuvwxyz0123456789 ,.!?'":
        vocab["\u0120" + c if c == " " else c] = n
        n += 1
    for t in ("he", "ll", "llo", "hello", "\u0120w", "or", "ld"):
        vocab[t] = n
        n += 1
    return vocab

bl = {"version": "1.0", "truncation": None, "padding": None,
      "added_tokens": [{"id": 100, "content": "<|im_end|>", "single_word": False, "lstrip": False, "rstrip": False,
                        "normalized": False, "special": True}],
      "normalizer": {"type": "NFC"},
      "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
          {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
           "behavior": "Isolated", "invert": False},
          {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
      "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
      "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
      "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                "vocab": bytelevel_vocab(), "merges": ["h e", "l l", "ll o", "he llo", "\u0120 w", "o r", "l d"]}}
put("fuzz_tokenizer_json", "bytelevel.json", json.dumps(bl, ensure_ascii=False))
bl2 = json.loads(json.dumps(bl))
bl2["model"]["merges"] = [m.split(" ") for m in bl2["model"]["merges"]]
bl2["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"},
                                                           {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]}
bl2["post_processor"] = {"type": "TemplateProcessing",
                         "single": [{"SpecialToken": {"id": "<|im_end|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                         "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                         "special_tokens": {"<|im_end|>": {"id": "<|im_end|>", "ids": [100], "tokens": ["<|im_end|>"]}}}
bl2["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": True},
                                                               {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}]}
put("fuzz_tokenizer_json", "pairs_template.json", json.dumps(bl2, ensure_ascii=False))
sp = {"version": "1.0", "added_tokens": [{"id": 0, "content": "<unk>", "special": True}, {"id": 1, "content": "<s>", "special": True},
                                          {"id": 2, "content": "</s>", "special": True}],
      "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
                                                         {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
      "pre_tokenizer": None,
      "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                         "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
      "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
                                                   {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
      "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": True, "fuse_unk": True,
                "vocab": dict([("<unk>", 0), ("<s>", 1), ("</s>", 2)] + [("<0x%02X>" % b, 3 + b) for b in range(256)] +
                              [("\u2581", 259), ("H", 260), ("e", 261), ("l", 262), ("o", 263), ("\u2581H", 264), ("ll", 265)]),
                "merges": ["\u2581 H", "l l"]}}
put("fuzz_tokenizer_json", "metaspace_bytefallback.json", json.dumps(sp, ensure_ascii=False))

# chat templates: byte 0 even = template source, odd = tokenizer_config.json
for p in sorted(glob.glob(os.path.join(FIX, "text/*.jinja"))):
    with open(p, "rb") as f:
        put("fuzz_chat_template", os.path.basename(p), b"\x02" + f.read())
put("fuzz_chat_template", "features.jinja", b"\x04" + (
    "{%- set ns = namespace(found=false, n=0) -%}{% macro_free %}"
    "{%- for m in messages if m.role != 'system' -%}{% set ns.n = ns.n + 1 %}"
    "<|{{ m['role']|upper }}|>{{ m.content|trim|replace('2', 'two') ~ '\\n' }}{% if loop.last and add_generation_prompt %}<|assistant|>{% endif %}"
    "{%- endfor -%}{{ messages|length }} {{ ns.n }} {{ (messages|map(attribute='role')|list)|tojson }}"
    "{{ 'abc'[::-1] }}{{ range(3)|join(',') }}{{ strftime_now('%Y-%m-%d') }}"
    "{% if enable_thinking is defined and not enable_thinking %}<think></think>{% endif %}{{ bos_token }}{{ eos_token }}").replace("{% macro_free %}", "").encode())
with open(os.path.join(FIX, "export/sp-tiny/tokenizer_config.json"), "rb") as f:
    put("fuzz_chat_template", "sp_tiny_tokenizer_config.json", b"\x01" + f.read())
put("fuzz_chat_template", "template_list.json", b"\x03" + json.dumps({
    "bos_token": {"content": "<s>", "lstrip": False}, "eos_token": "</s>",
    "chat_template": [{"name": "tool_use", "template": "{{ tools }}"},
                      {"name": "default", "template": "{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}"}]}).encode())

# model.safetensors.index.json (the target's folder holds model-00001-of-00001.safetensors: a [2,3], b [2])
shard = "model-00001-of-00001.safetensors"
put("fuzz_safetensors_index", "index.json", json.dumps({"metadata": {"total_size": 32}, "weight_map": {"a": shard, "b": shard}}, indent=2))
put("fuzz_safetensors_index", "missing_shard.json", json.dumps({"weight_map": {"a": "model-00002-of-00002.safetensors"}}))
with open(os.path.join(FIX, "io/tiny-qwen3-sharded/model.safetensors.index.json"), "rb") as f:
    put("fuzz_safetensors_index", "tiny_qwen3.json", f.read())

# adapter_config.json
put("fuzz_adapter_config", "lora.json", json.dumps({"fine_tune_type": "lora", "num_layers": 16, "lora_parameters":
    {"rank": 8, "scale": 20.0, "dropout": 0.0, "keys": ["self_attn.q_proj", "self_attn.v_proj"], "use_dora": False}}, indent=4))
put("fuzz_adapter_config", "mlx_dora.json", json.dumps({"num_layers": -1, "lora_parameters": {"rank": 4, "alpha": 16, "scale": 10.0, "dropout": 0.05, "use_dora": True}}))
put("fuzz_adapter_config", "full.json", json.dumps({"fine_tune_type": "full", "num_layers": 2}))

# run state: byte 0 = optimizer (adam, adamw, sgd, adafactor, lion, muon), state.json, NUL, optimizer bytes
def opt_state(name, step, buffers):
    out = b"RFOPT1\0\0" + struct.pack("<I", len(name)) + name.encode() + struct.pack("<qQI", step, 20, len(buffers))
    for b in buffers:
        out += struct.pack("<Q", len(b)) + struct.pack("<%df" % len(b), *b)
    return out
state = json.dumps({"step": 3, "trained_tokens": 1200.0, "run_seconds": 4.5, "rng": ["123", "456"], "data": "0:12",
                    "dropout_counter": "9", "running_baseline": {"value": 0.25, "count": 3}, "judge_stats": [1, 2, 3, 4],
                    "optimizer": "state.optimizer.3.bin", "adapters": "adapters/0000003_adapters.safetensors"}).encode()
put("fuzz_run_state", "adam", b"\x00" + state + b"\0" + opt_state("adam", 3, [[0.1] * 20, [0.01] * 20]))
put("fuzz_run_state", "sgd", b"\x02" + state + b"\0" + opt_state("sgd", 3, []))
put("fuzz_run_state", "lion_before_first_step", b"\x04" + state + b"\0" + b"RFOPT1\0\0" + struct.pack("<I", 4) + b"lion" + struct.pack("<qQI", 0, 0, 0))
put("fuzz_run_state", "bad_pieces", b"\x03" + json.dumps({"data": "1:x", "running_baseline": {"value": "nan", "count": -1}}).encode())

# HTTP judge replies
put("fuzz_http_judge_reply", "chat.json", json.dumps({"id": "c1", "object": "chat.completion", "choices": [
    {"index": 0, "message": {"role": "assistant", "content": "Score: 7"}, "finish_reason": "stop"}], "usage": {"total_tokens": 9}}))
put("fuzz_http_judge_reply", "completion.json", json.dumps({"choices": [{"text": "8", "index": 0}]}))
put("fuzz_http_judge_reply", "error.json", json.dumps({"error": {"message": "model 'x' not found", "type": "invalid_request_error"}}))
put("fuzz_http_judge_reply", "error_string.json", json.dumps({"error": "overloaded"}))

# Python reward worker replies
put("fuzz_reward_worker_reply", "hello.json", json.dumps({"ok": True, "registered": ["f"], "available": ["f", "r1_accuracy_reward_func"], "python": "3.11.2"}))
put("fuzz_reward_worker_reply", "hello_failed.json", json.dumps({"ok": False, "error": "NameError: x", "traceback": "Traceback (most recent call last):\n  File \"rewards.py\", line 3, in <module>\nNameError: x\n"}))
put("fuzz_reward_worker_reply", "scores.json", json.dumps({"ok": True, "scores": {"f": [1.0, None], "g": [0, 0.5]}}))
put("fuzz_reward_worker_reply", "score_failed.json", json.dumps({"ok": False, "function": "g", "error": "raised ValueError", "traceback": "  File \"rewards.py\", line 9, in g\n"}))

# Hub repo info
put("fuzz_hub_repo_info", "repo.json", json.dumps({"_id": "x", "id": "org/model", "sha": "0123456789abcdef0123456789abcdef01234567",
    "siblings": [{"rfilename": "config.json", "size": 700, "blobId": "ab"},
                 {"rfilename": "model.safetensors", "size": 1000, "lfs": {"sha256": "e" * 64, "size": 1000, "pointerSize": 134}}]}))
put("fuzz_hub_repo_info", "no_blobs.json", json.dumps({"sha": "0123456789abcdef0123456789abcdef01234567", "siblings": [{"rfilename": "README.md"}]}))
