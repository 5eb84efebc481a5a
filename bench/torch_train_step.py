#!/usr/bin/python3
"""The PyTorch peer of bench_train_step: one LoRA training step (forward + backward, no optimizer
update) of a Qwen3-0.6B-shaped and a SmolLM2-135M-shaped model with random weights, in plain torch as
transformers' eager code computes it (Debian 12 has torch 1.13 and no transformers), float32.

Same step as the engine: B = 1, T = 256, LoRA rank 8 / scale 20 on all seven linears of every block
(frozen base), every position scored, loss = -mean log_softmax(logits)[target].
Threads: torch.set_num_threads(2) and OMP_WAIT_POLICY=PASSIVE (set before torch is imported; without
it PyTorch's OpenMP pool and OpenBLAS's pthread pool fight over the 2 cores, see
reference/engine-formats-and-limits.md §4.5).

usage: /usr/bin/python3 bench/torch_train_step.py [--shape qwen3-0.6b|smollm2-135m|all] [--T 256] [--steps 3]
       [--threads 2] [--bf16]   (OpenBLAS's own threads follow OPENBLAS_NUM_THREADS)
--bf16: PyTorch's own best configuration on a bf16 CPU: the frozen base (block linears, lm-head) stored
in bfloat16 and the step under torch.autocast("cpu", bfloat16) (oneDNN, AMX where the CPU has it);
the LoRA factors stay float32 parameters, as with the engine's compute_dtype: bfloat16.
"""
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import math  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

SHAPES = {
    "qwen3-0.6b": dict(C=1024, I=3072, L=28, NH=16, KVH=8, HS=128, V=151936, qk_norm=True, theta=1e6, eps=1e-6),
    "smollm2-135m": dict(C=576, I=1536, L=30, NH=9, KVH=3, HS=64, V=49152, qk_norm=False, theta=1e5, eps=1e-5),
}
PROJ = ["q", "k", "v", "o", "gate", "up", "down"]


def rmsnorm(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Model:
    def __init__(self, s, rank=8, scale=20.0):
        g = torch.Generator().manual_seed(1)
        C, I, L, NH, KVH, HS, V = s["C"], s["I"], s["L"], s["NH"], s["KVH"], s["HS"], s["V"]
        self.s, self.scale = s, scale
        io = {"q": (NH * HS, C), "k": (KVH * HS, C), "v": (KVH * HS, C), "o": (C, NH * HS),
              "gate": (I, C), "up": (I, C), "down": (C, I)}
        a = 0.02 * math.sqrt(3)
        u = lambda *shape: (torch.rand(*shape, generator=g) * 2 - 1) * a   # noqa: E731
        self.emb = u(V, C)
        self.layers = []
        for _ in range(L):
            lay = {"ln1": torch.ones(C), "ln2": torch.ones(C), "qn": torch.ones(HS), "kn": torch.ones(HS)}
            for p in PROJ:
                out, inp = io[p]
                lay[p] = u(out, inp)
                b = 1 / math.sqrt(inp)
                lay[p + ".a"] = ((torch.rand(inp, rank, generator=g) * 2 - 1) * b).requires_grad_(True)
                lay[p + ".b"] = torch.zeros(rank, out).requires_grad_(True)
            self.layers.append(lay)
        self.norm = torch.ones(C)
        inv = 1.0 / (s["theta"] ** (torch.arange(0, HS, 2, dtype=torch.int64).float() / HS))
        self.inv_freq = inv

    def params(self):
        return [t for lay in self.layers for k, t in lay.items() if k.endswith(".a") or k.endswith(".b")]

    def to_bf16(self):
        self.emb32 = self.emb
        self.emb = self.emb.to(torch.bfloat16)
        for lay in self.layers:
            for p in PROJ:
                lay[p] = lay[p].to(torch.bfloat16)

    def lin(self, lay, p, x):
        return F.linear(x, lay[p]) + self.scale * ((x @ lay[p + ".a"]) @ lay[p + ".b"])

    def logp(self, tokens, targets):
        s = self.s
        T = tokens.shape[1]
        NH, KVH, HS, eps = s["NH"], s["KVH"], s["HS"], s["eps"]
        freqs = torch.arange(T, dtype=torch.float32)[:, None] * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), -1)
        cos, sin = emb.cos(), emb.sin()
        mask = torch.full((T, T), float("-inf")).triu(1)
        x = getattr(self, "emb32", self.emb)[tokens]
        for lay in self.layers:
            h = rmsnorm(x, lay["ln1"], eps)
            q = self.lin(lay, "q", h).view(1, T, NH, HS)
            k = self.lin(lay, "k", h).view(1, T, KVH, HS)
            v = self.lin(lay, "v", h).view(1, T, KVH, HS)
            if s["qk_norm"]:
                q, k = rmsnorm(q, lay["qn"], eps), rmsnorm(k, lay["kn"], eps)
            q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
            q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
            k = torch.repeat_interleave(k, NH // KVH, dim=1)
            v = torch.repeat_interleave(v, NH // KVH, dim=1)
            att = torch.softmax((q @ k.transpose(-1, -2)) * HS ** -0.5 + mask, dim=-1) @ v
            x = x + self.lin(lay, "o", att.transpose(1, 2).reshape(1, T, NH * HS))
            h = rmsnorm(x, lay["ln2"], eps)
            x = x + self.lin(lay, "down", F.silu(self.lin(lay, "gate", h)) * self.lin(lay, "up", h))
        x = rmsnorm(x, self.norm, eps)
        lp = torch.log_softmax(x @ self.emb.T, dim=-1)
        return lp.gather(-1, targets[..., None])[..., 0]


def bench(name, T, steps, bf16):
    s = SHAPES[name]
    t0 = time.time()
    m = Model(s)
    if bf16:
        m.to_bf16()
    t_init = time.time() - t0
    g = torch.Generator().manual_seed(5)
    tokens = torch.randint(0, s["V"], (1, T), generator=g)
    targets = torch.randint(0, s["V"], (1, T), generator=g)
    fwd, tot, cpu = [], [], []
    for i in range(steps + 1):      # the first step warms up
        for p in m.params():
            p.grad = None
        c0 = time.process_time()    # CPU seconds of all threads (wall time is unreliable on a loaded machine)
        a = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = -m.logp(tokens, targets).float().mean()
        b = time.perf_counter()
        loss.backward()
        e = time.perf_counter()
        if i > 0:
            fwd.append(b - a)
            tot.append(e - a)
            cpu.append(time.process_time() - c0)
    fwd.sort()
    tot.sort()
    cpu.sort()
    step = tot[len(tot) // 2]
    step_cpu = cpu[len(cpu) // 2]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ntrain = sum(p.numel() for p in m.params())
    print(f"{name} [{'bf16 autocast' if bf16 else 'f32'}]: T={T}, LoRA r=8 on all linears ({ntrain} trainable), init {t_init:.1f} s")
    print(f"  step (fwd+bwd) median of {steps}: {step:.3f} s  (fwd {fwd[len(fwd) // 2]:.3f} s)"
          f"  -> {T / step:.1f} tokens/s, loss {loss.item():.4f}")
    print(f"  CPU time {step_cpu:.3f} s/step (all threads) -> {T / step_cpu:.1f} tokens per CPU-second")
    print(f"  peak RSS so far {rss:.0f} MB")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", default="all")
    ap.add_argument("--T", type=int, default=256)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--bf16", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    torch.set_grad_enabled(True)
    for name in SHAPES:
        if args.shape in (name, "all"):
            bench(name, args.T, args.steps, args.bf16)


if __name__ == "__main__":
    main()
