#!/usr/bin/python3
"""Reference fixtures for engine/io (safetensors + half-float conversions).

Run with Debian's python (numpy + torch):  /usr/bin/python3 tests/reference/gen_safetensors_fixtures.py
Writes, into tests/fixtures/io/:
  half_float_golden.json  f32 bit patterns and their f16 (numpy astype, round-to-nearest-even) and
                          bf16 (torch .to(bfloat16), round-to-nearest-even) encodings.
  reference.safetensors   a file written by hand here, byte by byte from the format description in
  reference.json          huggingface/safetensors README (Debian has no `safetensors` package), with
                          the expected float values of every tensor, for the C++ reader to match.
"""
import json
import os
import struct

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "io")
rng = np.random.default_rng(20260101)


def f32_bits(values):
    return np.asarray(values, dtype=np.float32).view(np.uint32)


def half_float_golden():
    pats = []
    # special and boundary values
    pats += list(f32_bits([0.0, -0.0, 1.0, -1.0, 65504.0, 65519.99, 65520.0, 65536.0, 1e10, -1e10,
                           np.inf, -np.inf, 2.0 ** -14, 2.0 ** -24, 2.0 ** -25, 2.0 ** -25 * 1.0001,
                           2.0 ** -24 * 1.5, 2.0 ** -24 * 2.5, 2.0 ** -15 * 1.00048828125, 3.0e-8,
                           1.0 + 2.0 ** -11, 1.0 + 3 * 2.0 ** -11, 1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8,
                           3.3895313892515355e38, 1.17549435e-38, 1e-45]))
    # exact halfway cases for f16 (bit 12 set, low bits zero) and bf16 (bit 15 set, low bits zero)
    for _ in range(200):
        e = int(rng.integers(103, 143))
        m = int(rng.integers(0, 1 << 23))
        pats.append(np.uint32((e << 23) | (m & ~0x1FFF) | 0x1000 | (int(rng.integers(0, 2)) << 31)))
        e = int(rng.integers(1, 254))
        pats.append(np.uint32((e << 23) | (m & ~0xFFFF) | 0x8000 | (int(rng.integers(0, 2)) << 31)))
    # random finite floats over the whole range and near the f16 range
    for _ in range(2000):
        u = int(rng.integers(0, 1 << 32))
        if (u >> 23) & 0xFF == 0xFF:
            continue
        pats.append(np.uint32(u))
    vals = rng.standard_normal(1000).astype(np.float32) * np.float32(100.0)
    pats += list(vals.view(np.uint32))
    bits = np.array(pats, dtype=np.uint32)
    f = bits.view(np.float32)
    with np.errstate(over="ignore"):
        f16 = f.astype(np.float16).view(np.uint16)
    bf16 = torch.from_numpy(f.copy()).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
    return {"generator": "tests/reference/gen_safetensors_fixtures.py (numpy float16, torch bfloat16)",
            "f32_bits": [int(x) for x in bits], "f16_bits": [int(x) for x in f16], "bf16_bits": [int(x) for x in bf16]}


def write_reference_safetensors(path):
    tensors = {
        "model.embed_tokens.weight": rng.standard_normal((5, 4)).astype(np.float32),
        "model.norm.weight": (1.0 + 0.1 * rng.standard_normal(4)).astype(np.float32),
        "lm_head.weight": rng.standard_normal((3, 4)).astype(np.float32),
        "scalar": np.array(2.5, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
        "packed": rng.integers(0, 1 << 32, size=(2, 3), dtype=np.uint64).astype(np.uint32),
    }
    stored = {"model.embed_tokens.weight": "BF16", "model.norm.weight": "F32", "lm_head.weight": "F16",
              "scalar": "F32", "empty": "F16", "packed": "U32"}
    blobs, header, off = [], {"__metadata__": {"format": "pt", "note": "hand-written reference"}}, 0
    expected = {}
    for name in ["packed", "lm_head.weight", "model.embed_tokens.weight", "scalar", "empty", "model.norm.weight"]:
        a, dt = tensors[name], stored[name]
        if dt == "F32":
            raw, back = a.astype("<f4").tobytes(), a
        elif dt == "F16":
            h = a.astype("<f2")
            raw, back = h.tobytes(), h.astype(np.float32)
        elif dt == "BF16":
            b = torch.from_numpy(a.copy()).to(torch.bfloat16)
            raw = b.view(torch.int16).numpy().astype("<i2").tobytes()
            back = b.to(torch.float32).numpy()
        else:
            raw, back = a.astype("<u4").tobytes(), a
        header[name] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [off, off + len(raw)]}
        off += len(raw)
        blobs.append(raw)
        expected[name] = {"dtype": dt, "shape": list(a.shape), "values": [float(x) if dt != "U32" else int(x) for x in back.reshape(-1)]}
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    return {"generator": "tests/reference/gen_safetensors_fixtures.py", "metadata": header["__metadata__"], "tensors": expected}


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "half_float_golden.json"), "w") as f:
        json.dump(half_float_golden(), f)
    exp = write_reference_safetensors(os.path.join(OUT, "reference.safetensors"))
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(exp, f, indent=1)
    print("wrote", OUT)
