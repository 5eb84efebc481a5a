#!/usr/bin/python3
"""A tiny random Llama model folder for the `reinforge-cli generate` end-to-end test (tests/cli/generate.sh).

Writes tests/fixtures/gen/tiny-llama-sp/{config.json, model.safetensors}: vocab 600 to match the
SentencePiece model in tests/fixtures/text/sentencepiece/tokenizer.model (the test copies it beside),
hidden 32, 2 layers, GQA 4/2, tied embeddings, BF16 storage. Weights ~ N(0, 0.3^2), norms 1, so the
next-token distribution is far from uniform and greedy decoding is well defined.

Run: /usr/bin/python3 tests/reference/gen_tiny_generate_model.py
"""
import json
import os
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "gen", "tiny-llama-sp")
V, C, I, L, NH, KVH = 600, 32, 64, 2, 4, 2
HS = C // NH


def bf16_bytes(a):
    """float32 -> bfloat16 (round to nearest even), little-endian bytes."""
    u = a.astype(np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return u.astype(np.uint16).tobytes()


def main():
    rng = np.random.default_rng(4)
    tensors = {"model.embed_tokens.weight": rng.normal(0, 0.3, (V, C))}
    for l in range(L):
        p = f"model.layers.{l}."
        tensors[p + "input_layernorm.weight"] = np.ones(C)
        tensors[p + "self_attn.q_proj.weight"] = rng.normal(0, 0.3, (NH * HS, C))
        tensors[p + "self_attn.k_proj.weight"] = rng.normal(0, 0.3, (KVH * HS, C))
        tensors[p + "self_attn.v_proj.weight"] = rng.normal(0, 0.3, (KVH * HS, C))
        tensors[p + "self_attn.o_proj.weight"] = rng.normal(0, 0.3, (C, NH * HS))
        tensors[p + "post_attention_layernorm.weight"] = np.ones(C)
        tensors[p + "mlp.gate_proj.weight"] = rng.normal(0, 0.3, (I, C))
        tensors[p + "mlp.up_proj.weight"] = rng.normal(0, 0.3, (I, C))
        tensors[p + "mlp.down_proj.weight"] = rng.normal(0, 0.3, (C, I))
    tensors["model.norm.weight"] = np.ones(C)

    header, blobs, off = {}, [], 0
    for name, a in tensors.items():
        b = bf16_bytes(a)
        header[name] = {"dtype": "BF16", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    cfg = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": C, "intermediate_size": I,
           "num_hidden_layers": L, "num_attention_heads": NH, "num_key_value_heads": KVH, "vocab_size": V,
           "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": True,
           "max_position_embeddings": 512, "hidden_act": "silu", "torch_dtype": "bfloat16",
           "bos_token_id": 1, "eos_token_id": 2}
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
