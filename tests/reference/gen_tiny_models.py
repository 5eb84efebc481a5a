#!/usr/bin/python3
"""Tiny model folders for `reinforge-cli info` and the loaders (tests/cli/info.sh, test_quant_*).

    /usr/bin/python3 tests/reference/gen_tiny_models.py

Writes into tests/fixtures/io/:
  tiny-llama/          llama, untied, BF16 matrices + F32 norms, one model.safetensors
  tiny-qwen3-sharded/  qwen3, tied, F32, two shards + model.safetensors.index.json
Parameter counts (checked by tests/cli/info.sh), by hand:
  tiny-llama: V=32 H=16 L=2 NH=2 KVH=1 HS=8 I=32
      per layer: q 16*16 + k 16*8 + v 16*8 + o 16*16 + mlp 3*16*32 + 2 norms 2*16 = 2336
      2*2336 + embed 32*16 + lm_head 32*16 + final norm 16 = 5712
  tiny-qwen3-sharded: V=40 H=16 L=1 NH=2 KVH=1 HS=16 (explicit head_dim) I=24, tied
      q 16*32 + k 16*16 + v 16*16 + o 32*16 + q_norm 16 + k_norm 16 + mlp 3*16*24 + 2 norms 32 = 2752
      2752 + embed 40*16 + final norm 16 = 3408
"""
import json
import os

import numpy as np

import safetensors_np as st

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "io")
rng = np.random.default_rng(7)


def block(i, H, NH, KVH, HS, I, qk_norm, dt):
    p = f"model.layers.{i}."
    t = {
        p + "input_layernorm.weight": ("F32", np.ones(H)),
        p + "self_attn.q_proj.weight": (dt, rng.standard_normal((NH * HS, H)) * 0.1),
        p + "self_attn.k_proj.weight": (dt, rng.standard_normal((KVH * HS, H)) * 0.1),
        p + "self_attn.v_proj.weight": (dt, rng.standard_normal((KVH * HS, H)) * 0.1),
        p + "self_attn.o_proj.weight": (dt, rng.standard_normal((H, NH * HS)) * 0.1),
        p + "post_attention_layernorm.weight": ("F32", np.ones(H)),
        p + "mlp.gate_proj.weight": (dt, rng.standard_normal((I, H)) * 0.1),
        p + "mlp.up_proj.weight": (dt, rng.standard_normal((I, H)) * 0.1),
        p + "mlp.down_proj.weight": (dt, rng.standard_normal((H, I)) * 0.1),
    }
    if qk_norm:
        t[p + "self_attn.q_norm.weight"] = ("F32", np.ones(HS))
        t[p + "self_attn.k_norm.weight"] = ("F32", np.ones(HS))
    return t


def write_config(d, cfg):
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)


def tiny_llama():
    d = os.path.join(OUT, "tiny-llama")
    os.makedirs(d, exist_ok=True)
    V, H, L, NH, KVH, I = 32, 16, 2, 2, 1, 32
    write_config(d, dict(architectures=["LlamaForCausalLM"], model_type="llama", hidden_size=H, intermediate_size=I,
                         num_hidden_layers=L, num_attention_heads=NH, num_key_value_heads=KVH, vocab_size=V,
                         rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=False, torch_dtype="bfloat16",
                         bos_token_id=1, eos_token_id=2, max_position_embeddings=256))
    t = {"model.embed_tokens.weight": ("BF16", rng.standard_normal((V, H)))}
    for i in range(L):
        t.update(block(i, H, NH, KVH, H // NH, I, False, "BF16"))
    t["model.norm.weight"] = ("F32", np.ones(H))
    t["lm_head.weight"] = ("BF16", rng.standard_normal((V, H)) * 0.1)
    st.write(os.path.join(d, "model.safetensors"), t, {"format": "pt"})


def tiny_qwen3_sharded():
    d = os.path.join(OUT, "tiny-qwen3-sharded")
    os.makedirs(d, exist_ok=True)
    V, H, L, NH, KVH, HS, I = 40, 16, 1, 2, 1, 16, 24
    write_config(d, dict(architectures=["Qwen3ForCausalLM"], model_type="qwen3", hidden_size=H, intermediate_size=I,
                         num_hidden_layers=L, num_attention_heads=NH, num_key_value_heads=KVH, head_dim=HS,
                         vocab_size=V, rms_norm_eps=1e-6, rope_theta=1000000, tie_word_embeddings=True,
                         torch_dtype="float32", eos_token_id=[3, 4], use_sliding_window=False))
    t = {"model.embed_tokens.weight": ("F32", rng.standard_normal((V, H)))}
    t.update(block(0, H, NH, KVH, HS, I, True, "F32"))
    t["model.norm.weight"] = ("F32", np.ones(H))
    names = list(t)
    shards = [names[: len(names) // 2], names[len(names) // 2:]]
    wm = {}
    for k, part in enumerate(shards):
        fn = f"model-{k + 1:05d}-of-{len(shards):05d}.safetensors"
        st.write(os.path.join(d, fn), {n: t[n] for n in part})
        wm.update({n: fn for n in part})
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": 4 * sum(np.asarray(a).size for _, a in t.values())}, "weight_map": wm}, f, indent=2)


if __name__ == "__main__":
    tiny_llama()
    tiny_qwen3_sharded()
    print("wrote", OUT)
