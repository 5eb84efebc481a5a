"""A minimal safetensors writer/reader in numpy, written from the format description in
huggingface/safetensors README (Debian 12 packages no `safetensors`). Used by the reference scripts
in this folder; independent of the C++ code it checks.

    write(path, {name: (dtype, ndarray)}, metadata=None)   dtype in F32 F16 BF16 U32 U8 ...
    read(path) -> ({name: (dtype, ndarray)}, metadata)    BF16 is returned as float32 values
"""
import json
import struct

import numpy as np

_NP = {"F32": "<f4", "F16": "<f2", "U32": "<u4", "U8": "u1", "I32": "<i4", "F64": "<f8", "I64": "<i8"}


def bf16_bits(a):
    """float32 -> bf16 bit patterns, round to nearest even (NaN not expected here)."""
    u = np.asarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return u.astype(np.uint16)


def bf16_values(bits):
    return (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)


def write(path, tensors, metadata=None):
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = dict(metadata)
    for name, (dtype, arr) in tensors.items():
        arr = np.asarray(arr)
        if dtype == "BF16":
            raw = bf16_bits(arr).astype("<u2").tobytes()
        else:
            raw = np.ascontiguousarray(arr.astype(_NP[dtype])).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [off, off + len(raw)]}
        off += len(raw)
        blobs.append(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        raw = data[base + b:base + e]
        if info["dtype"] == "BF16":
            arr = bf16_values(np.frombuffer(raw, dtype="<u2"))
        else:
            arr = np.frombuffer(raw, dtype=_NP[info["dtype"]])
        out[name] = (info["dtype"], arr.reshape(info["shape"]))
    return out, meta
