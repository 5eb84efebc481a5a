#!/usr/bin/python3
"""MLX quantized-checkpoint format in numpy, following MLX's own definitions (ml-explore/mlx:
mlx/ops.cpp affine_quantize / fp_quantize / affine_dequantize, mlx/backend/cpu/quantized.cpp
to_fp4_e2m1, and the docs of mlx.core.quantize), in float32 arithmetic like MLX's.

Packing is written here as "every row's codes form one little-endian bit stream": codes are expanded
to bits LSB first, concatenated and regrouped into bytes and uint32 words (np.packbits, little bit
order). That is a different formulation from the C++ packer, which shifts codes into words.

    /usr/bin/python3 tests/reference/mlx_format.py

Writes:
  tests/fixtures/quant/mlx_cases.safetensors + mlx_cases.json
      per case "<case>.w" (F32 original), "<case>.weight" (U32), "<case>.scales" (BF16/F16/F32, or U8
      E8M0 for mxfp4), "<case>.biases" (affine) and "<case>.dequant" (F32, numpy's dequantization)
  tests/fixtures/io/tiny-qwen3-mlx/   an mlx-community style folder (config.json with "quantization",
      a per-module override and a module kept in float) + expected_dequant.safetensors
      Parameter count (tests/cli/info.sh), by hand: V=96 H=64 L=1 NH=2 KVH=1 HS=32 I=128, tied:
        q 64*64 + k 64*32 + v 64*32 + o 64*64 + q_norm 32 + k_norm 32 + mlp 3*64*128 + norms 2*64
        = 4096 + 2048 + 2048 + 4096 + 64 + 24576 + 128 = 37056;  + embed 96*64 + final norm 64 = 43264
"""
import json
import os

import numpy as np

import safetensors_np as st

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures")
F32 = np.float32
FP4_LUT = np.array([0, .5, 1, 1.5, 2, 3, 4, 6, -0., -.5, -1, -1.5, -2, -3, -4, -6], dtype=F32)


def round_to(a, dtype):
    a = np.asarray(a, dtype=F32)
    if dtype == "BF16":
        return st.bf16_values(st.bf16_bits(a))
    if dtype == "F16":
        return a.astype(np.float16).astype(F32)
    return a


def pack_bits(codes, bits):
    """codes [rows, K] (< 2^bits) -> uint32 [rows, K*bits/32], one LSB-first bit stream per row."""
    rows, K = codes.shape
    b = ((codes.astype(np.uint64)[..., None] >> np.arange(bits, dtype=np.uint64)) & 1).astype(np.uint8)
    stream = b.reshape(rows, K * bits)
    by = np.packbits(stream, axis=1, bitorder="little")
    return np.ascontiguousarray(by).view("<u4").reshape(rows, K * bits // 32)


def unpack_bits(words, bits, K):
    rows = words.shape[0]
    by = np.ascontiguousarray(words.astype("<u4")).view(np.uint8).reshape(rows, -1)
    stream = np.unpackbits(by, axis=1, bitorder="little")[:, :K * bits].reshape(rows, K, bits)
    return (stream.astype(np.uint32) << np.arange(bits, dtype=np.uint32)).sum(-1).astype(np.uint32)


def quantize_affine(w, bits, gs, scale_dtype):
    """mlx affine_quantize, float32 arithmetic; scales/biases rounded to scale_dtype at the end."""
    rows, K = w.shape
    g = w.astype(F32).reshape(rows, K // gs, gs)
    n_bins = F32(2 ** bits - 1)
    w_max = g.max(-1)
    w_min = g.min(-1)
    mask = np.abs(w_min) > np.abs(w_max)
    scales = np.maximum((w_max - w_min) / n_bins, F32(1e-7)).astype(F32)
    scales = np.where(mask, scales, -scales).astype(F32)
    edge = np.where(mask, w_min, w_max).astype(F32)
    q0 = np.rint(edge / scales).astype(F32)
    nz = q0 != 0
    scales = np.where(nz, edge / np.where(nz, q0, F32(1)), scales).astype(F32)
    biases = np.where(nz, edge, F32(0)).astype(F32)
    q = np.clip(np.rint((g - biases[..., None]) / scales[..., None]), 0, n_bins).astype(np.uint32)
    return pack_bits(q.reshape(rows, K), bits), round_to(scales, scale_dtype), round_to(biases, scale_dtype)


def to_fp4_e2m1(x):
    """mlx to_fp4_e2m1: nearest E2M1 code, ties to the even code; sign in bit 3."""
    a = np.abs(x)
    b = np.select([a > 5, a >= 3.5, a > 2.5, a >= 1.75, a > 1.25, a >= 0.75, a > 0.25], [7, 6, 5, 4, 3, 2, 1], 0)
    return (b | np.where(np.signbit(x), 8, 0)).astype(np.uint32)


def quantize_mxfp4(w):
    rows, K = w.shape
    g = w.astype(F32).reshape(rows, K // 32, 32)
    s = (np.abs(g).max(-1) / F32(6)).astype(F32)
    with np.errstate(divide="ignore"):
        e = np.where(s == 0, 0, np.rint(np.log2(np.where(s == 0, F32(1), s)))).astype(np.int32)
    e = np.clip(e, -127, 127)
    scale = np.ldexp(F32(1), e).astype(F32)
    codes = to_fp4_e2m1((g / scale[..., None]).astype(F32))
    return pack_bits(codes.reshape(rows, K), 4), (e + 127).astype(np.uint8)


def dequantize(words, scales, biases, bits, gs, mode, K):
    codes = unpack_bits(words, bits, K)
    rows = codes.shape[0]
    if mode == "mxfp4":
        s = np.ldexp(F32(1), scales.astype(np.int32) - 127).astype(F32)
        v = FP4_LUT[codes].reshape(rows, K // 32, 32)
        return (v * s[..., None]).astype(F32).reshape(rows, K)
    q = codes.astype(F32).reshape(rows, K // gs, gs)
    s = scales.astype(F32)[..., None]
    b = biases.astype(F32)[..., None]
    return (q * s + b).astype(F32).reshape(rows, K)


def quantized_tensors(prefix, w, spec, model_dtype):
    """{name: (dtype, array)} of an MLX quantized linear at `prefix`, and numpy's dequantization."""
    bits, gs, mode = spec["bits"], spec["group_size"], spec.get("mode", "affine")
    K = w.shape[1]
    if mode == "mxfp4":
        words, e = quantize_mxfp4(w)
        return {prefix + ".weight": ("U32", words), prefix + ".scales": ("U8", e)}, dequantize(words, e, None, 4, 32, mode, K)
    words, s, b = quantize_affine(w, bits, gs, model_dtype)
    t = {prefix + ".weight": ("U32", words), prefix + ".scales": (model_dtype, s), prefix + ".biases": (model_dtype, b)}
    return t, dequantize(words, s, b, bits, gs, mode, K)


CASES = [
    ("a4g64_bf16", dict(bits=4, group_size=64), "BF16"),
    ("a4g128_f32", dict(bits=4, group_size=128), "F32"),
    ("a8g64_f16", dict(bits=8, group_size=64), "F16"),
    ("a8g128_bf16", dict(bits=8, group_size=128), "BF16"),
    ("a6g64_bf16", dict(bits=6, group_size=64), "BF16"),
    ("a6g128_f32", dict(bits=6, group_size=128), "F32"),
    ("a3g32_f32", dict(bits=3, group_size=32), "F32"),
    ("a5g64_f32", dict(bits=5, group_size=64), "F32"),
    ("a2g32_bf16", dict(bits=2, group_size=32), "BF16"),
    ("mxfp4", dict(bits=4, group_size=32, mode="mxfp4"), "U8"),
]


def write_cases(rng):
    out = os.path.join(FIX, "quant")
    os.makedirs(out, exist_ok=True)
    tensors, meta = {}, []
    for name, spec, dt in CASES:
        rows, K = 6, 256
        w = (rng.standard_normal((rows, K)) * 0.05).astype(F32)
        w[:, ::29] *= 12  # outliers
        w[2, :128] = 0  # all-zero groups
        if dt == "BF16":
            w = round_to(w, "BF16")  # a bf16 model's weights
        t, deq = quantized_tensors(name, w, spec, dt if dt != "U8" else "F32")
        tensors[name + ".w"] = ("F32", w)
        tensors.update(t)
        tensors[name + ".dequant"] = ("F32", deq)
        meta.append(dict(name=name, bits=spec["bits"], group_size=spec["group_size"], mode=spec.get("mode", "affine"),
                         scale_dtype=dt, rows=rows, cols=K))
    st.write(os.path.join(out, "mlx_cases.safetensors"), tensors, {"format": "mlx"})
    with open(os.path.join(out, "mlx_cases.json"), "w") as f:
        json.dump({"generator": "tests/reference/mlx_format.py", "cases": meta}, f, indent=1)


def write_tiny_mlx_model(rng):
    d = os.path.join(FIX, "io", "tiny-qwen3-mlx")
    os.makedirs(d, exist_ok=True)
    V, H, NH, KVH, HS, I = 96, 64, 2, 1, 32, 128
    quant = {"group_size": 64, "bits": 4, "mode": "affine",
             "model.layers.0.mlp.down_proj": {"group_size": 64, "bits": 8},
             "model.layers.0.self_attn.v_proj": False}
    cfg = dict(architectures=["Qwen3ForCausalLM"], model_type="qwen3", hidden_size=H, intermediate_size=I,
               num_hidden_layers=1, num_attention_heads=NH, num_key_value_heads=KVH, head_dim=HS, vocab_size=V,
               rms_norm_eps=1e-6, rope_theta=1000000, tie_word_embeddings=True, torch_dtype="bfloat16",
               eos_token_id=[3], quantization=quant, quantization_config=quant)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    p = "model.layers.0."
    floats = {
        "model.embed_tokens": (V, H), p + "self_attn.q_proj": (NH * HS, H), p + "self_attn.k_proj": (KVH * HS, H),
        p + "self_attn.v_proj": (KVH * HS, H), p + "self_attn.o_proj": (H, NH * HS), p + "mlp.gate_proj": (I, H),
        p + "mlp.up_proj": (I, H), p + "mlp.down_proj": (H, I),
    }
    tensors, expected = {}, {}
    for mod, shape in floats.items():
        w = round_to((rng.standard_normal(shape) * 0.05).astype(F32), "BF16")
        spec = quant.get(mod, quant)
        if spec is False:
            tensors[mod + ".weight"] = ("BF16", w)
            expected[mod + ".weight"] = ("F32", w)
            continue
        t, deq = quantized_tensors(mod, w, spec, "BF16")
        tensors.update(t)
        expected[mod + ".weight"] = ("F32", deq)
    for n, size in [(p + "input_layernorm.weight", H), (p + "post_attention_layernorm.weight", H),
                    (p + "self_attn.q_norm.weight", HS), (p + "self_attn.k_norm.weight", HS), ("model.norm.weight", H)]:
        w = round_to((1 + 0.1 * rng.standard_normal(size)).astype(F32), "BF16")
        tensors[n] = ("BF16", w)
        expected[n] = ("F32", w)
    st.write(os.path.join(d, "model.safetensors"), tensors, {"format": "mlx"})
    st.write(os.path.join(FIX, "quant", "tiny_qwen3_mlx_expected.safetensors"), expected)


def self_check():
    """The packing formulation agrees with MLX's documented 4-bit layout: element k of a word at bits 4k."""
    codes = np.array([[15, 14, 13, 12, 11, 10, 9, 8] + list(range(7, -1, -1)) + [0] * 16], dtype=np.uint32)
    words = pack_bits(codes, 4)
    assert words[0, 0] == 0x89ABCDEF and words[0, 1] == 0x01234567, hex(words[0, 0])
    assert (unpack_bits(words, 4, 32) == codes).all()


if __name__ == "__main__":
    self_check()
    rng = np.random.default_rng(20260102)
    write_cases(rng)
    write_tiny_mlx_model(rng)
    print("wrote", os.path.join(FIX, "quant"), "and", os.path.join(FIX, "io", "tiny-qwen3-mlx"))
