#!/usr/bin/python3
"""The PyTorch peer of bench/bench_decode.cpp: KV-cached decode on the Qwen3-0.6B shape (28 layers,
C 1024, I 3072, 16/8 heads of 128, V 151936, tied, q/k RMSNorm), random weights, float32 and
bfloat16, batch 1, 4 and 8, the same way the engine decodes (one 32-token prompt, G sequences, one
token per sequence per step, time per step after a warm-up step). Plain torch (Debian's
python3-torch 1.13 has no transformers): the model is written out below in the layout of
transformers' Qwen3 modules.

First validates the cached decode against a full forward without cache on the same tokens.
Run: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_decode.py [--steps N] [--threads N] [--json FILE]
"""
import argparse
import json
import math
import time

import torch

C, I, L, NH, KVH, HS, V = 1024, 3072, 28, 16, 8, 128, 151936
EPS, THETA = 1e-6, 1e6


def rms(x, w):
    x32 = x.float()
    return (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + EPS)).to(x.dtype) * w


class Qwen3:
    def __init__(self, dtype, seed=1):
        g = torch.Generator().manual_seed(seed)
        r = lambda *s: (torch.randn(*s, generator=g) * 0.02).to(dtype)
        self.emb = r(V, C)
        self.layers = []
        for _ in range(L):
            self.layers.append(dict(
                ln1=torch.ones(C, dtype=dtype), ln2=torch.ones(C, dtype=dtype),
                q=r(NH * HS, C), k=r(KVH * HS, C), v=r(KVH * HS, C), o=r(C, NH * HS),
                qn=torch.ones(HS, dtype=dtype), kn=torch.ones(HS, dtype=dtype),
                gate=r(I, C), up=r(I, C), down=r(C, I)))
        self.norm = torch.ones(C, dtype=dtype)
        inv = 1.0 / (THETA ** (torch.arange(0, HS, 2, dtype=torch.float32) / HS))
        ang = torch.arange(4096, dtype=torch.float32)[:, None] * inv[None, :]
        emb = torch.cat([ang, ang], -1)
        self.cos, self.sin = emb.cos().to(dtype), emb.sin().to(dtype)
        self.dtype = dtype

    def rope(self, x, pos):  # x (B, H, T, HS), pos (T,)
        c, s = self.cos[pos][None, None], self.sin[pos][None, None]
        x1, x2 = x[..., :HS // 2], x[..., HS // 2:]
        return x * c + torch.cat([-x2, x1], -1) * s

    def forward(self, tokens, cache=None, start=0):
        """tokens (B, T); cache: list of [K, V] (B, KVH, maxT, HS) filled up to `start`."""
        B, T = tokens.shape
        pos = torch.arange(start, start + T)
        x = self.emb[tokens]
        for li, w in enumerate(self.layers):
            h = rms(x, w["ln1"])
            q = rms((h @ w["q"].T).view(B, T, NH, HS), w["qn"]).transpose(1, 2)
            k = rms((h @ w["k"].T).view(B, T, KVH, HS), w["kn"]).transpose(1, 2)
            v = (h @ w["v"].T).view(B, T, KVH, HS).transpose(1, 2)
            q, k = self.rope(q, pos), self.rope(k, pos)
            if cache is not None:
                cache[li][0][:, :, start:start + T] = k
                cache[li][1][:, :, start:start + T] = v
                k, v = cache[li][0][:, :, :start + T], cache[li][1][:, :, :start + T]
            S = k.shape[2]
            qg = q.reshape(B, KVH, NH // KVH * T, HS)
            att = (qg @ k.transpose(-1, -2)).float() / math.sqrt(HS)  # (B, KVH, G*T, S)
            att = att.view(B, KVH, NH // KVH, T, S)
            mask = torch.ones(T, S, dtype=torch.bool).tril(S - T)
            att = att.masked_fill(~mask, float("-inf")).softmax(-1).to(self.dtype)
            o = (att.view(B, KVH, NH // KVH * T, S) @ v).view(B, NH, T, HS).transpose(1, 2).reshape(B, T, NH * HS)
            x = x + o @ w["o"].T
            h = rms(x, w["ln2"])
            x = x + (torch.nn.functional.silu(h @ w["gate"].T) * (h @ w["up"].T)) @ w["down"].T
        return rms(x, self.norm) @ self.emb.T  # (B, T, V)

    def new_cache(self, B, maxT):
        return [[torch.zeros(B, KVH, maxT, HS, dtype=self.dtype), torch.zeros(B, KVH, maxT, HS, dtype=self.dtype)]
                for _ in range(L)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, load average "
          f"{open('/proc/loadavg').read().split()[:3]}")
    results = []
    with torch.inference_mode():
        for dtype in (torch.float32, torch.bfloat16):
            t0 = time.time()
            m = Qwen3(dtype)
            print(f"{dtype}: model built in {time.time() - t0:.1f} s")
            # validation: cached decode == full forward (1 sequence, 6 prompt tokens + 3 decoded)
            g = torch.Generator().manual_seed(2)
            toks = torch.randint(0, V, (1, 9), generator=g)
            full = m.forward(toks).float()
            cache = m.new_cache(1, 16)
            inc = [m.forward(toks[:, :6], cache, 0)[:, -1]]
            for t in range(6, 9):
                inc.append(m.forward(toks[:, t:t + 1], cache, t)[:, -1])
            err = max((full[0, 5 + i] - inc[i][0].float()).abs().max().item() for i in range(3))
            print(f"  validation: max |cached - full| logits = {err:.2e}")
            for G in (1, 4, 8):
                prompt = torch.randint(0, V, (1, 32), generator=g)
                cache = m.new_cache(G, 32 + a.steps + 2)
                m.forward(prompt.expand(G, 32).contiguous(), cache, 0)
                pos = 32
                tok = torch.randint(0, V, (G, 1), generator=g)
                m.forward(tok, cache, pos)  # warm-up
                pos += 1
                t0, c0 = time.time(), time.process_time()
                for _ in range(a.steps):
                    tok = torch.randint(0, V, (G, 1), generator=g)
                    m.forward(tok, cache, pos)
                    pos += 1
                dt = time.time() - t0
                # CPU time / threads discounts time-slicing on a shared machine (as bench_decode does)
                dc = (time.process_time() - c0) / torch.get_num_threads()
                tps, ctps = G * a.steps / dt, G * a.steps / dc
                print(f"  batch {G}: {tps:.2f} tokens/s ({a.steps / dt:.2f} steps/s); CPU time: {ctps:.2f} tokens/s")
                results.append({"dtype": str(dtype).split(".")[-1], "batch": G, "tokens_per_s": tps,
                                "cpu_tokens_per_s": ctps})
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"load_average": open("/proc/loadavg").read().split()[:3], "decode": results}, f)


if __name__ == "__main__":
    main()
