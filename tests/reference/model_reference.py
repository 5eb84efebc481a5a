#!/usr/bin/python3
"""Reference outputs for engine/model (tests/engine/test_model_reference.cpp).

Tiny random Llama / Qwen2 / Qwen3 models computed the way Hugging Face transformers computes them
(modeling_llama.py, modeling_qwen2.py, modeling_qwen3.py, modeling_rope_utils.py), in plain torch
(Debian 12 has no transformers package), with LoRA / DoRA as mlx-lm computes them
(mlx_lm/tuner/lora.py, dora.py: y = W x + scale * (x A) B, no division by rank; DoRA rescales by
m / ||W + scale (AB)^T||_row with the norm detached).

Everything runs in float64 except what transformers itself computes in float32 whatever the model
dtype: RoPE's inv_freq and the angles position * inv_freq. The C++ engine runs in float32, so the
comparison measures its float error only.

Writes, per architecture, tests/fixtures/model/<arch>/:
  config.json, model.safetensors    a Hugging Face model folder (qwen2 stored as BF16, so the loader's
                                    conversion is exercised; the reference uses the rounded values)
  expected.safetensors              tokens, targets, loss weights, logits, logp, entropy, and the
                                    gradient of every trainable tensor for full, LoRA and DoRA
  expected.json                     settings (temperature, adapter spec, AdamW trajectory + losses)

Run with Debian's python (the pyenv python3 on PATH has no torch):
    /usr/bin/python3 tests/reference/model_reference.py
"""
import json
import math
import os
import struct

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
F64 = torch.float64
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "model")

B, T = 2, 24
LENGTHS = [24, 17]         # sequence 1 is right-padded with token 0
PROMPT = [4, 6]            # the first positions are not scored (target -1), as prompts in RL
TEMPERATURE = 0.8
TRAJ_STEPS = 10

ARCHS = {
    # untied, llama3 rope scaling (small original context so every regime of the rule is hit)
    "llama": dict(
        config=dict(model_type="llama", architectures=["LlamaForCausalLM"], hidden_size=64,
                    intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                    num_key_value_heads=2, vocab_size=300, rms_norm_eps=1e-5, rope_theta=10000.0,
                    rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                  "high_freq_factor": 4.0, "original_max_position_embeddings": 16},
                    tie_word_embeddings=False, attention_bias=False, mlp_bias=False,
                    max_position_embeddings=128, hidden_act="silu", torch_dtype="float32",
                    bos_token_id=1, eos_token_id=2),
        dtype="F32",
        lora=dict(rank=4, scale=2.0, num_layers=-1, keys=[]),
        traj=dict(type="lora", lr=1e-2),
        seed=1),
    # q/k/v biases, tied embeddings, BF16 weights; adapters on 3 modules of the last block only
    "qwen2": dict(
        config=dict(model_type="qwen2", architectures=["Qwen2ForCausalLM"], hidden_size=64,
                    intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                    num_key_value_heads=2, vocab_size=300, rms_norm_eps=1e-6, rope_theta=1000000.0,
                    tie_word_embeddings=True, max_position_embeddings=128, hidden_act="silu",
                    torch_dtype="bfloat16", use_sliding_window=False, bos_token_id=1, eos_token_id=2),
        dtype="BF16",
        lora=dict(rank=4, scale=2.0, num_layers=1,
                  keys=["self_attn.q_proj", "self_attn.v_proj", "mlp.down_proj"]),
        traj=dict(type="full", lr=1e-3),
        seed=2),
    # head_dim 32 != hidden / heads = 16, per-head q/k RMSNorm, tied
    "qwen3": dict(
        config=dict(model_type="qwen3", architectures=["Qwen3ForCausalLM"], hidden_size=64,
                    intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                    num_key_value_heads=2, head_dim=32, vocab_size=300, rms_norm_eps=1e-6,
                    rope_theta=1000000.0, tie_word_embeddings=True, attention_bias=False,
                    max_position_embeddings=128, hidden_act="silu", torch_dtype="float32",
                    use_sliding_window=False, bos_token_id=1, eos_token_id=2),
        dtype="F32",
        lora=dict(rank=4, scale=2.0, num_layers=-1, keys=[]),
        traj=dict(type="dora", lr=1e-2),
        seed=3),
}

PROJ = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
        "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]


# ---------------------------------------------------------------- safetensors (numpy, no package)
def bf16_round(a):
    """float32 -> bfloat16 (round to nearest even) -> float32, and the raw 16-bit words."""
    u = np.ascontiguousarray(a, dtype="<f4").view("<u4").astype(np.uint64)
    r = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype("<u2")
    back = (r.astype("<u4") << 16).view("<f4")
    return back, r


def write_safetensors(path, tensors, metadata=None):
    header, blobs, off = {}, [], 0
    for name, (arr, dt) in tensors.items():
        if dt == "F32":
            b = np.ascontiguousarray(arr, dtype="<f4").tobytes()
        elif dt == "BF16":
            b = bf16_round(arr)[1].tobytes()
        elif dt == "I32":
            b = np.ascontiguousarray(arr, dtype="<i4").tobytes()
        else:
            raise ValueError(dt)
        header[name] = {"dtype": dt, "shape": list(arr.shape), "data_offsets": [off, off + len(b)]}
        off += len(b)
        blobs.append(b)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# ---------------------------------------------------------------- the model, as transformers computes it
def dims(cfg):
    NH, KVH = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    HS = cfg.get("head_dim") or cfg["hidden_size"] // NH
    return NH, KVH, HS


def has_bias(cfg, proj):
    t = cfg["model_type"]
    if proj in PROJ[:3]:
        return t == "qwen2" or cfg.get("attention_bias", False)
    if proj == "self_attn.o_proj":
        return t != "qwen2" and cfg.get("attention_bias", False)
    return t == "llama" and cfg.get("mlp_bias", False)


def base_shapes(cfg):
    C, I, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    NH, KVH, HS = dims(cfg)
    io = {"self_attn.q_proj": (NH * HS, C), "self_attn.k_proj": (KVH * HS, C),
          "self_attn.v_proj": (KVH * HS, C), "self_attn.o_proj": (C, NH * HS),
          "mlp.gate_proj": (I, C), "mlp.up_proj": (I, C), "mlp.down_proj": (C, I)}
    shapes = {"model.embed_tokens.weight": (V, C)}
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        shapes[p + "input_layernorm.weight"] = (C,)
        shapes[p + "post_attention_layernorm.weight"] = (C,)
        if cfg["model_type"] == "qwen3":
            shapes[p + "self_attn.q_norm.weight"] = (HS,)
            shapes[p + "self_attn.k_norm.weight"] = (HS,)
        for proj in PROJ:
            shapes[p + proj + ".weight"] = io[proj]
            if has_bias(cfg, proj):
                shapes[p + proj + ".bias"] = (io[proj][0],)
    shapes["model.norm.weight"] = (C,)
    if not cfg["tie_word_embeddings"]:
        shapes["lm_head.weight"] = (V, C)
    return shapes, io


def rope_cos_sin(cfg, T):
    """transformers' default / llama3 inv_freq and angles, in float32 as it computes them."""
    _, _, dim = dims(cfg)
    base = cfg["rope_theta"]
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).to(torch.float32) / dim))
    rs = cfg.get("rope_scaling")
    if rs and rs.get("rope_type", rs.get("type")) == "llama3":
        factor, low, high = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
        old = rs["original_max_position_embeddings"]
        low_wl, high_wl = old / low, old / high
        wavelen = 2 * math.pi / inv_freq
        inv_l = torch.where(wavelen > low_wl, inv_freq / factor, inv_freq)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * inv_l / factor + smooth * inv_l
        medium = ~(wavelen < high_wl) * ~(wavelen > low_wl)
        inv_freq = torch.where(medium, smoothed, inv_l)
    pos = torch.arange(T, dtype=torch.float32)
    freqs = pos[:, None] * inv_freq[None, :]           # float32 product, as HF's float32 matmul
    emb = torch.cat((freqs, freqs), dim=-1).to(F64)
    return emb.cos(), emb.sin()


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rmsnorm(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def linear(W, cfg, l, proj, x, adapters, scale):
    p = f"model.layers.{l}.{proj}"
    w = W[p + ".weight"]
    b = W.get(p + ".bias")
    ad = adapters.get((l, proj)) if adapters else None
    if ad is None:
        y = x @ w.T
        return y + b if b is not None else y
    z = x @ w.T + scale * ((x @ ad["lora_a"]) @ ad["lora_b"])
    if "m" in ad:   # DoRA, mlx-lm: denom = stop_gradient(norm(W + scale * B^T A^T, axis=1))
        denom = torch.linalg.norm(w + scale * ad["lora_b"].T @ ad["lora_a"].T, dim=1).detach()
        z = (ad["m"] / denom) * z
    return z + b if b is not None else z


def forward_logits(W, cfg, tokens, adapters=None, scale=0.0):
    C, L = cfg["hidden_size"], cfg["num_hidden_layers"]
    NH, KVH, HS = dims(cfg)
    eps = cfg["rms_norm_eps"]
    Bn, Tn = tokens.shape
    cos, sin = rope_cos_sin(cfg, Tn)
    mask = torch.full((Tn, Tn), float("-inf")).triu(1)
    x = W["model.embed_tokens.weight"][tokens]
    for l in range(L):
        p = f"model.layers.{l}."
        h = rmsnorm(x, W[p + "input_layernorm.weight"], eps)
        q = linear(W, cfg, l, "self_attn.q_proj", h, adapters, scale).view(Bn, Tn, NH, HS)
        k = linear(W, cfg, l, "self_attn.k_proj", h, adapters, scale).view(Bn, Tn, KVH, HS)
        v = linear(W, cfg, l, "self_attn.v_proj", h, adapters, scale).view(Bn, Tn, KVH, HS)
        if cfg["model_type"] == "qwen3":
            q = rmsnorm(q, W[p + "self_attn.q_norm.weight"], eps)
            k = rmsnorm(k, W[p + "self_attn.k_norm.weight"], eps)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.repeat_interleave(k, NH // KVH, dim=1)   # transformers' repeat_kv
        v = torch.repeat_interleave(v, NH // KVH, dim=1)
        s = (q @ k.transpose(-1, -2)) * HS ** -0.5 + mask
        o = torch.softmax(s, dim=-1) @ v
        o = o.transpose(1, 2).reshape(Bn, Tn, NH * HS)
        x = x + linear(W, cfg, l, "self_attn.o_proj", o, adapters, scale)
        h = rmsnorm(x, W[p + "post_attention_layernorm.weight"], eps)
        g = linear(W, cfg, l, "mlp.gate_proj", h, adapters, scale)
        u = linear(W, cfg, l, "mlp.up_proj", h, adapters, scale)
        x = x + linear(W, cfg, l, "mlp.down_proj", torch.nn.functional.silu(g) * u, adapters, scale)
    x = rmsnorm(x, W["model.norm.weight"], eps)
    lm = W["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else W["lm_head.weight"]
    return x @ lm.T


def logp_entropy(logits, targets, temperature):
    lp = torch.log_softmax(logits / temperature, dim=-1)
    ent = -(lp.exp() * lp).sum(-1)
    scored = targets >= 0
    logp = lp.gather(-1, targets.clamp(min=0)[..., None])[..., 0]
    return torch.where(scored, logp, torch.zeros_like(logp)), torch.where(scored, ent, torch.zeros_like(ent))


# ---------------------------------------------------------------- fixture generation
def adapter_modules(cfg, spec):
    L = cfg["num_hidden_layers"]
    first = 0 if spec["num_layers"] < 0 else max(0, L - spec["num_layers"])
    keys = spec["keys"] or PROJ
    return [(l, proj) for l in range(first, L) for proj in PROJ if proj in keys]


def make_adapters(W, cfg, spec, io, rng, dora):
    ads = {}
    for l, proj in adapter_modules(cfg, spec):
        out, inp = io[proj]
        r = spec["rank"]
        a = rng.uniform(-1, 1, size=(inp, r)) / math.sqrt(inp)
        b = rng.normal(0, 0.5, size=(r, out)) / math.sqrt(r)     # nonzero, so dA is not trivially 0
        ad = {"lora_a": np.float32(a), "lora_b": np.float32(b)}
        if dora:
            w = W[f"model.layers.{l}.{proj}.weight"].numpy()
            ad["m"] = np.float32(np.linalg.norm(w, axis=1) * rng.uniform(0.8, 1.25, size=out))
        ads[(l, proj)] = ad
    return ads


def adapter_name(l, proj, leaf):
    return f"model.layers.{l}.{proj}.{leaf}"


def adamw_trajectory(params, loss_fn, lr, steps):
    opt = torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn()
        losses.append(loss.item())
        loss.backward()
        opt.step()
    return losses


def generate(arch, spec):
    cfg = spec["config"]
    rng = np.random.default_rng(spec["seed"])
    shapes, io = base_shapes(cfg)
    C = cfg["hidden_size"]
    V = cfg["vocab_size"]

    # weights (float32 values; BF16-rounded for the BF16 file) -------------------------------------
    Wnp = {}
    for name, shp in shapes.items():
        if name == "model.norm.weight" and cfg["tie_word_embeddings"]:
            # logits = h E^T with unit-variance embeddings: a small final norm keeps them O(1)
            a = 0.25 * (1.0 + 0.1 * rng.standard_normal(shp))
        elif name.endswith("norm.weight"):
            a = 1.0 + 0.1 * rng.standard_normal(shp)
        elif name.endswith(".bias"):
            a = 0.1 * rng.standard_normal(shp)
        elif name == "model.embed_tokens.weight":
            a = rng.standard_normal(shp)
        else:
            a = rng.standard_normal(shp) / math.sqrt(shp[1])
        a = np.float32(a)
        if spec["dtype"] == "BF16":
            a = bf16_round(a)[0]
        Wnp[name] = a
    W = {k: torch.tensor(v, dtype=F64) for k, v in Wnp.items()}

    # batch ------------------------------------------------------------------------------------------
    tokens = rng.integers(3, V, size=(B, T)).astype(np.int32)
    targets = np.full((B, T), -1, np.int32)
    for b in range(B):
        tokens[b, LENGTHS[b]:] = 0
        for t in range(PROMPT[b], LENGTHS[b] - 1):
            targets[b, t] = tokens[b, t + 1]
    scored = targets >= 0
    n_scored = int(scored.sum())
    wlogp = np.float32(np.where(scored, rng.standard_normal((B, T)), 0) / n_scored)
    went = np.float32(np.where(scored, 0.3 * rng.standard_normal((B, T)), 0) / n_scored)
    tok_t, tgt_t = torch.tensor(tokens, dtype=torch.int64), torch.tensor(targets, dtype=torch.int64)
    wl_t, we_t = torch.tensor(wlogp, dtype=F64), torch.tensor(went, dtype=F64)

    def weighted_loss(logits):
        lp, ent = logp_entropy(logits, tgt_t, TEMPERATURE)
        return (wl_t * lp).sum() + (we_t * ent).sum(), lp, ent

    exp = {"tokens": (tokens, "I32"), "targets": (targets, "I32"),
           "loss_weight_logp": (wlogp, "F32"), "loss_weight_entropy": (went, "F32")}

    # base model: logits, logp, entropy, full fine-tuning gradients -------------------------------------
    Wg = {k: v.clone().requires_grad_(True) for k, v in W.items()}
    logits = forward_logits(Wg, cfg, tok_t)
    loss, lp, ent = weighted_loss(logits)
    loss.backward()
    exp["base.logits"] = (logits.detach().numpy(), "F32")
    exp["base.logp"] = (lp.detach().numpy(), "F32")
    exp["base.entropy"] = (ent.detach().numpy(), "F32")
    for k, v in Wg.items():
        exp["full.grad." + k] = (v.grad.numpy(), "F32")

    # LoRA and DoRA ------------------------------------------------------------------------------------
    lspec = spec["lora"]
    for kind in ("lora", "dora"):
        ads_np = make_adapters(W, cfg, lspec, io, rng, kind == "dora")
        ads = {key: {leaf: torch.tensor(v, dtype=F64, requires_grad=True) for leaf, v in ad.items()}
               for key, ad in ads_np.items()}
        logits = forward_logits(W, cfg, tok_t, ads, lspec["scale"])
        loss, lp, ent = weighted_loss(logits)
        loss.backward()
        exp[kind + ".logp"] = (lp.detach().numpy(), "F32")
        exp[kind + ".entropy"] = (ent.detach().numpy(), "F32")
        for (l, proj), ad in ads.items():
            for leaf, t in ad.items():
                exp[f"{kind}.param." + adapter_name(l, proj, leaf)] = (ads_np[(l, proj)][leaf], "F32")
                exp[f"{kind}.grad." + adapter_name(l, proj, leaf)] = (t.grad.numpy(), "F32")

    # 10 AdamW steps on the SFT loss (mean -logp of the scored tokens at temperature 1) ------------------
    tspec = spec["traj"]
    if tspec["type"] == "full":
        Wt = {k: v.clone().requires_grad_(True) for k, v in W.items()}
        params = list(Wt.values())
        fwd = lambda: forward_logits(Wt, cfg, tok_t)
    else:
        leaves = ["lora_a", "lora_b"] + (["m"] if tspec["type"] == "dora" else [])
        ads = {key: {leaf: torch.tensor(exp[f"{tspec['type']}.param." + adapter_name(*key, leaf)][0],
                                        dtype=F64, requires_grad=True) for leaf in leaves}
               for key in adapter_modules(cfg, lspec)}
        params = [t for ad in ads.values() for t in ad.values()]
        fwd = lambda: forward_logits(W, cfg, tok_t, ads, lspec["scale"])

    def sft_loss():
        lp, _ = logp_entropy(fwd(), tgt_t, 1.0)
        return -(lp.sum() / n_scored)

    losses = adamw_trajectory(params, sft_loss, tspec["lr"], TRAJ_STEPS)

    # write -------------------------------------------------------------------------------------------
    d = os.path.join(OUT, arch)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(d, "model.safetensors"),
                      {k: (v, spec["dtype"]) for k, v in Wnp.items()}, {"format": "pt"})
    write_safetensors(os.path.join(d, "expected.safetensors"), exp)
    meta = {
        "generator": "tests/reference/model_reference.py (torch %s, float64)" % torch.__version__,
        "temperature": TEMPERATURE,
        "lora_parameters": lspec,
        "trajectory": {"type": tspec["type"], "optimizer": "torch.optim.AdamW", "lr": tspec["lr"],
                       "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01,
                       "loss": "mean -logp of scored tokens, temperature 1", "losses": losses},
    }
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    sizes = {n: os.path.getsize(os.path.join(d, n)) for n in os.listdir(d)}
    print(arch, sizes, "losses", ["%.5f" % x for x in losses])


if __name__ == "__main__":
    for arch, spec in ARCHS.items():
        generate(arch, spec)
