#!/usr/bin/python3
"""The PyTorch peer of bench/bench_decode.cpp: KV-cached decode on the Qwen3-0.6B shape (28 layers,
C 1024, I 3072, 16/8 heads of 128, V 151936, tied, q/k RMSNorm), random weights, float32 and
bfloat16, batch 1, 4 and 8, the same way the engine decodes (one 32-token prompt, G sequences, one
token per sequence per step, time per step after a warm-up step). Plain torch (Debian's
python3-torch 1.13 has no transformers): the model is written out below in the layout of
transformers' Qwen3 modules.

First validates the cached decode against a full forward without cache on the same tokens.
Run: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_decode.py [--steps N] [--threads N] [--json FILE]

With --model DIR --request REQUEST.json (bench/peers.sh, issue 14 item 6): the weights of DIR's
model.safetensors (float32, a Qwen3-0.6B-shaped folder; any layer count) instead of random ones, timed
as bench/bench_peers.cpp times the engine from the same request: the greedy continuations of the
engine's validation ids (float32), then per dtype prefill of prefill_ids into the cache (lm-head on
the last row only) and decode_tokens greedy steps at batch 1; --json gets the results.
"""
import argparse
import json
import math
import os
import time

import torch

C, I, L, NH, KVH, HS, V = 1024, 3072, 28, 16, 8, 128, 151936
EPS, THETA = 1e-6, 1e6


def rms(x, w):
    x32 = x.float()
    return (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + EPS)).to(x.dtype) * w


def load_safetensors(path):
    """name -> float32 tensor (Debian's torch has no safetensors module; the format is a JSON header)."""
    import numpy as np
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        assert h["dtype"] == "F32", f"{name}: {h['dtype']} (expected F32)"
        a, b = h["data_offsets"]
        out[name] = torch.from_numpy(np.array(data[a:b]).view(np.float32)).view(h["shape"])
    return out


class Qwen3:
    @classmethod
    def from_dir(cls, model_dir, dtype):
        """The weights of a Qwen3 folder (HF names, tied embeddings) at this script's widths."""
        cfg = json.load(open(os.path.join(model_dir, "config.json")))
        assert (cfg["hidden_size"], cfg["intermediate_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"],
                cfg.get("head_dim"), cfg["vocab_size"], cfg.get("tie_word_embeddings")) == (C, I, NH, KVH, HS, V, True), \
            "torch_decode.py --model: only the Qwen3-0.6B widths (any num_hidden_layers)"
        t = load_safetensors(os.path.join(model_dir, "model.safetensors"))
        m = cls(dtype, layers=0)
        get = lambda n: t.pop(n).to(dtype)
        m.emb = get("model.embed_tokens.weight")
        m.norm = get("model.norm.weight")
        for i in range(cfg["num_hidden_layers"]):
            p = f"model.layers.{i}."
            m.layers.append(dict(
                ln1=get(p + "input_layernorm.weight"), ln2=get(p + "post_attention_layernorm.weight"),
                q=get(p + "self_attn.q_proj.weight"), k=get(p + "self_attn.k_proj.weight"),
                v=get(p + "self_attn.v_proj.weight"), o=get(p + "self_attn.o_proj.weight"),
                qn=get(p + "self_attn.q_norm.weight"), kn=get(p + "self_attn.k_norm.weight"),
                gate=get(p + "mlp.gate_proj.weight"), up=get(p + "mlp.up_proj.weight"), down=get(p + "mlp.down_proj.weight")))
        assert not t, f"unused tensors: {sorted(t)[:4]}"
        return m

    def __init__(self, dtype, seed=1, layers=L):
        g = torch.Generator().manual_seed(seed)
        r = lambda *s: (torch.randn(*s, generator=g) * 0.02).to(dtype)
        self.emb = r(V, C)
        self.layers = []
        for _ in range(layers):
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

    def forward(self, tokens, cache=None, start=0, last_only=False):
        """tokens (B, T); cache: list of [K, V] (B, KVH, maxT, HS) filled up to `start`.
        last_only: logits of the last position only (B, 1, V), as a prefill needs."""
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
        if last_only:
            x = x[:, -1:]
        return rms(x, self.norm) @ self.emb.T  # (B, T, V)

    def new_cache(self, B, maxT):
        return [[torch.zeros(B, KVH, maxT, HS, dtype=self.dtype), torch.zeros(B, KVH, maxT, HS, dtype=self.dtype)]
                for _ in self.layers]


def peers(a):
    """bench/peers.sh: the request's validation, prefill and batch-1 decode on DIR's weights."""
    req = json.load(open(a.request))
    rounds, n = req.get("rounds", 2), req["decode_tokens"]
    pre, prompt = torch.tensor([req["prefill_ids"]]), torch.tensor([req["decode_prompt_ids"]])
    out = {"engine": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(), "rows": []}
    cpu = lambda: time.process_time() / torch.get_num_threads()
    with torch.inference_mode():
        for dtype in (torch.float32, torch.bfloat16):
            t0 = time.time()
            m = Qwen3.from_dir(a.model, dtype)
            name = str(dtype).split(".")[-1]
            print(f"{name}: loaded in {time.time() - t0:.1f} s")
            if dtype == torch.float32:
                out["validate"] = []
                for prompt_ids in req.get("validate_ids", []):
                    ids = torch.tensor([prompt_ids])
                    cache = m.new_cache(1, ids.shape[1] + req.get("validate_tokens", 8))
                    logits, greedy = m.forward(ids, cache, 0, last_only=True), []
                    for i in range(req.get("validate_tokens", 8)):
                        greedy.append(int(logits[0, -1].argmax()))
                        logits = m.forward(torch.tensor([[greedy[-1]]]), cache, ids.shape[1] + i)
                    out["validate"].append({"prompt_ids": prompt_ids, "greedy": greedy})
            best_p = [1e30, 1e30]
            for r in range(rounds + 1):  # round 0 warms up
                cache = m.new_cache(1, pre.shape[1])
                t0, c0 = time.time(), cpu()
                m.forward(pre, cache, 0, last_only=True)
                if r:
                    best_p = [min(best_p[0], time.time() - t0), min(best_p[1], cpu() - c0)]
            best_d = [1e30, 1e30]
            for r in range(rounds):
                cache = m.new_cache(1, prompt.shape[1] + n + 1)
                tok = m.forward(prompt, cache, 0, last_only=True)[0, -1].argmax()
                t0, c0 = time.time(), cpu()
                for i in range(n):
                    tok = m.forward(tok.view(1, 1), cache, prompt.shape[1] + i)[0, -1].argmax()
                best_d = [min(best_d[0], time.time() - t0), min(best_d[1], cpu() - c0)]
            row = {"format": name, "prefill_tok_s": pre.shape[1] / best_p[0], "prefill_cpu_tok_s": pre.shape[1] / best_p[1],
                   "decode_tok_s": n / best_d[0], "decode_cpu_tok_s": n / best_d[1]}
            print(f"  {name}: prefill {row['prefill_tok_s']:.1f} tok/s, decode {row['decode_tok_s']:.2f} tok/s "
                  f"(CPU time: {row['prefill_cpu_tok_s']:.1f} / {row['decode_cpu_tok_s']:.2f})")
            out["rows"].append(row)
            del m
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json")
    ap.add_argument("--model", help="a Qwen3-0.6B-shaped folder (bench/peers.sh); needs --request")
    ap.add_argument("--request", help="bench/peers.sh's request file")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.model:
        return peers(a)
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
