#!/usr/bin/python3
"""Checks the embedded default model folder (resources/models/reinforge-arith-tiny) the way Hugging
Face would load it, and writes what tests/engine/test_default_model_reference.cpp compares against.

A standard HF Llama folder needs: config.json with the Llama keys, every tensor transformers'
LlamaForCausalLM expects under its HF name and shape (tied embeddings: no lm_head.weight), a
SentencePiece tokenizer.model and a tokenizer_config.json with a chat_template. Debian 12 has no
transformers package, so the forward is model_reference.forward_logits (transformers' Llama math in
float64 torch, checked against the engine by test_model_reference) and the tokenizer is the
sentencepiece Python binding (python3-sentencepiece), which is what transformers' slow
LlamaTokenizer wraps.

Writes tests/fixtures/default_model/expected.json:
  text            a ChatML prompt + completion, as the chat_template renders it
  ids             sentencepiece's ids of `text`
  logits_last     the logits at the last 4 positions (float64 reference), and
  greedy          the 12 greedy next tokens after the prompt (argmax of the reference forward)
  model_sha256    of model.safetensors, so the test notices a retrained model and says to rerun this

Run with Debian's python (the pyenv python3 on PATH has no torch):
    apt-get install python3-sentencepiece
    /usr/bin/python3 tests/reference/check_default_model.py
"""
import hashlib
import json
import os
import sys

import numpy as np
import sentencepiece as spm
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import model_reference as ref  # noqa: E402
import safetensors_np as st  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
MODEL = os.path.join(ROOT, "resources", "models", "reinforge-arith-tiny")
OUT = os.path.join(ROOT, "tests", "fixtures", "default_model")

SYSTEM = ("You are given a problem. Think about the problem and provide your working out. "
          "Place it between <think> and </think>. Then, provide your solution between "
          "<answer> </answer>.")


def main():
    cfg = json.load(open(os.path.join(MODEL, "config.json")))
    assert cfg["model_type"] == "llama" and cfg["architectures"] == ["LlamaForCausalLM"], cfg
    tensors, _ = st.read(os.path.join(MODEL, "model.safetensors"))
    shapes, _ = ref.base_shapes(cfg)
    missing = sorted(set(shapes) - set(tensors))
    extra = sorted(set(tensors) - set(shapes))
    assert not missing and not extra, f"missing {missing}, unexpected {extra}"
    for name, shape in shapes.items():
        dt, arr = tensors[name]
        assert tuple(arr.shape) == tuple(shape), (name, arr.shape, shape)
        assert dt in ("F32", "BF16", "F16"), (name, dt)
    W = {k: torch.from_numpy(np.array(v[1], dtype=np.float64)) for k, v in tensors.items()}

    tc = json.load(open(os.path.join(MODEL, "tokenizer_config.json")))
    assert "chat_template" in tc and tc["tokenizer_class"] == "LlamaTokenizer"
    sp = spm.SentencePieceProcessor(model_file=os.path.join(MODEL, "tokenizer.model"))
    assert sp.get_piece_size() == cfg["vocab_size"], (sp.get_piece_size(), cfg["vocab_size"])
    eos = sp.piece_to_id(tc["eos_token"])
    assert eos in cfg["eos_token_id"], (eos, cfg["eos_token_id"])

    # The chat template is ChatML: rendered here by hand, the engine renders it with its Jinja.
    prompt = (f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\nWhat is 47 + 38?<|im_end|>\n"
              "<|im_start|>assistant\n")
    completion = "<think>\n47 + 38 = 85\n</think>\n<answer>85</answer><|im_end|>"
    ids = sp.encode(prompt + completion)
    prompt_ids = sp.encode(prompt)
    assert ids[:len(prompt_ids)] == prompt_ids

    with torch.no_grad():
        logits = ref.forward_logits(W, cfg, torch.tensor([ids]))[0]
        seq = list(prompt_ids)
        greedy = []
        for _ in range(12):
            nxt = int(ref.forward_logits(W, cfg, torch.tensor([seq]))[0, -1].argmax())
            greedy.append(nxt)
            seq.append(nxt)
    os.makedirs(OUT, exist_ok=True)
    sha = hashlib.sha256(open(os.path.join(MODEL, "model.safetensors"), "rb").read()).hexdigest()
    out = {
        "text": prompt + completion,
        "prompt_tokens": len(prompt_ids),
        "ids": ids,
        "logits_last": logits[-4:].tolist(),
        "greedy": greedy,
        "greedy_text": sp.decode(greedy),
        "model_sha256": sha,
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")
    print(f"ok: {len(shapes)} tensors, {len(ids)} ids; greedy continuation {out['greedy_text']!r}")


if __name__ == "__main__":
    main()
