#!/usr/bin/python3
"""Reference trajectories for engine/optim/optimizer*.cpp, lr_schedule.cpp and grad_clip.cpp.

Run with Debian's python3 (torch 1.13 + numpy):  /usr/bin/python3 tests/reference/optim_reference.py
Writes tests/fixtures/optim/optim_cases.json (re-runnable, deterministic).

Where torch.optim has the same update rule it is the reference (Adam and AdamW with bias
correction, SGD with momentum/nesterov/weight decay). mlx's own rules that torch lacks (Adam without
bias correction, SGD dampening from a zero buffer, Lion, Adafactor, Muon) and the lr schedules are
written here in numpy float64 from mlx/python/mlx/optimizers/{optimizers,schedulers}.py.
"""
import json
import math
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "optim")
STEPS = 6

# Buffer layout used by the shape-aware optimizers: (name, offset, rows, cols); cols 0 = vector.
# Offsets 31..33 are left uncovered on purpose (they become a 1-D tensor).
LAYOUT = [("a", 0, 3, 5), ("bias", 15, 4, 0), ("b", 19, 6, 2)]
N = 34


def tensors(n):
    """The completed layout: views plus 1-D gaps, as engine complete_layout()."""
    views = sorted(LAYOUT, key=lambda v: v[1])
    out, pos = [], 0
    for name, off, r, c in views:
        if off > pos:
            out.append(("gap", pos, off - pos, 0))
        out.append((name, off, r, c))
        pos = off + (r * c if c else r)
    if pos < n:
        out.append(("gap", pos, n - pos, 0))
    return out


# ----------------------------------------------------------------------------- numpy (mlx rules)

def np_adam(w, grads, lrs, b1=0.9, b2=0.999, eps=1e-8, wd=None, bias_correction=False):
    m = np.zeros_like(w); v = np.zeros_like(w); traj = []
    for t, (g, lr) in enumerate(zip(grads, lrs), start=1):
        if wd is not None:
            w = w * (1 - lr * wd)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        if bias_correction:
            w = w - (lr / (1 - b1 ** t)) * m / (np.sqrt(v) / math.sqrt(1 - b2 ** t) + eps)
        else:
            w = w - lr * m / (np.sqrt(v) + eps)
        traj.append(w.copy())
    return traj


def np_sgd(w, grads, lrs, momentum=0.0, wd=0.0, dampening=0.0, nesterov=False):
    v = np.zeros_like(w); traj = []
    for g, lr in zip(grads, lrs):
        g = g + wd * w
        if momentum <= 0:
            w = w - lr * g
        else:
            v = momentum * v + (1 - dampening) * g
            w = w - lr * (g + momentum * v if nesterov else v)
        traj.append(w.copy())
    return traj


def np_lion(w, grads, lrs, b1=0.9, b2=0.99, wd=0.0):
    m = np.zeros_like(w); traj = []
    for g, lr in zip(grads, lrs):
        c = b1 * m + (1 - b1) * g
        m = b2 * m + (1 - b2) * g
        if wd > 0:
            w = (1 - lr * wd) * w
        w = w - lr * np.sign(c)
        traj.append(w.copy())
    return traj


def np_adafactor(w, grads, lrs, eps=(1e-30, 1e-3), clip_threshold=1.0, decay_rate=-0.8, beta_1=None,
                 weight_decay=0.0, scale_parameter=True, relative_step=True, warmup_init=False):
    state = {}
    traj = []
    rms = lambda x: math.sqrt(float(np.mean(np.square(x))))
    for t, (g_all, lr) in enumerate(zip(grads, lrs), start=1):
        w = w.copy()
        for name, off, r, c in tensors(len(w)):
            n = r * c if c else r
            p = w[off:off + n].reshape((r, c) if c else (r,))
            g = g_all[off:off + n].reshape(p.shape)
            st = state.setdefault(off, {})
            if not st:
                if c:
                    st["row"] = np.zeros(r); st["col"] = np.zeros(c)
                else:
                    st["sq"] = np.zeros(r)
                if beta_1 is not None:
                    st["avg"] = np.zeros(p.shape)
            if relative_step:
                min_step = 1e-6 * t if warmup_init else 1e-2
                rel = min(min_step, 1.0 / math.sqrt(t))
            else:
                rel = lr
            alpha = rel * (max(eps[1], rms(p)) if scale_parameter else 1.0)
            b2 = 1.0 - t ** decay_rate
            u = g * g + eps[0]
            if c:
                st["row"] = b2 * st["row"] + (1 - b2) * u.mean(axis=-1)
                st["col"] = b2 * st["col"] + (1 - b2) * u.mean(axis=-2)
                rf = 1.0 / np.sqrt(st["row"] / st["row"].mean())
                cf = 1.0 / np.sqrt(st["col"])
                upd = np.outer(rf, cf) * g
            else:
                st["sq"] = b2 * st["sq"] + (1 - b2) * u
                upd = g / np.sqrt(st["sq"])
            upd = upd / max(1.0, rms(upd) / clip_threshold)
            upd = alpha * upd
            if beta_1 is not None:
                st["avg"] = beta_1 * st["avg"] + (1 - beta_1) * upd
                upd = st["avg"]
            if weight_decay != 0:
                p = p + p * (-weight_decay * alpha)
            w[off:off + n] = (p - upd).reshape(-1)
        traj.append(w.copy())
    return traj


def newton_schulz5(G, steps):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.T if G.shape[0] > G.shape[1] else G
    X = X / (np.linalg.norm(X) + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * (A @ A)
        X = a * X + B @ X
    return X.T if G.shape[0] > G.shape[1] else X


def np_muon(w, grads, lrs, momentum=0.95, weight_decay=0.01, nesterov=True, ns_steps=5, adamw_fallback=False,
            adamw_betas=(0.9, 0.999), adamw_eps=1e-8, adamw_weight_decay=0.01):
    v = np.zeros_like(w); v2 = np.zeros_like(w); traj = []
    for g_all, lr in zip(grads, lrs):
        w = w.copy()
        for name, off, r, c in tensors(len(w)):
            n = r * c if c else r
            sl = slice(off, off + n)
            if not c and adamw_fallback:
                b1, b2 = adamw_betas
                g = g_all[sl]
                v[sl] = b1 * v[sl] + (1 - b1) * g
                v2[sl] = b2 * v2[sl] + (1 - b2) * g * g
                w[sl] = w[sl] * (1 - lr * adamw_weight_decay) - lr * v[sl] / (np.sqrt(v2[sl]) + adamw_eps)
                continue
            g = g_all[sl] + weight_decay * w[sl] if weight_decay != 0 else g_all[sl]
            v[sl] = momentum * v[sl] + (1 - momentum) * g
            u = (1 - momentum) * g + momentum * v[sl] if nesterov else v[sl].copy()
            step_lr = lr
            if c:
                u = newton_schulz5(u.reshape(r, c), ns_steps).reshape(-1)
                step_lr = lr * math.sqrt(max(1.0, r / c))
            w[sl] = w[sl] - step_lr * u
        traj.append(w.copy())
    return traj


# ----------------------------------------------------------------------------- torch

def torch_traj(make, w0, grads, lrs):
    p = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float32))
    opt = make([p])
    traj = []
    for g, lr in zip(grads, lrs):
        for group in opt.param_groups:
            group["lr"] = float(lr)
        p.grad = torch.tensor(g, dtype=torch.float32)
        opt.step()
        traj.append(p.detach().numpy().astype(np.float64).copy())
    return traj


# ----------------------------------------------------------------------------- schedules

def sched_main(name, args, iters):
    def steps(x):
        return max(1, int(iters * x["iters_fraction"])) if isinstance(x, dict) else x
    if name == "cosine_decay":
        init, n = args[0], steps(args[1]); end = args[2] if len(args) > 2 else 0.0
        return lambda s: max(init * 0.5 * (1 + math.cos(math.pi / n * min(s, n))), end)
    if name == "linear_schedule":
        init, end, n = args[0], args[1], steps(args[2])
        return lambda s: min(s, n) * ((end - init) / n) + init
    if name == "exponential_decay":
        return lambda s: args[0] * args[1] ** s
    if name == "step_decay":
        return lambda s: args[0] * args[1] ** (s // steps(args[2]))
    if name == "constant":
        return lambda s: args[0]
    raise ValueError(name)


def schedule(cfg, iters):
    main = sched_main(cfg["name"], cfg["arguments"], iters)
    W = cfg.get("warmup", 0)
    if not W:
        return main
    w0, init = cfg.get("warmup_init", 0.0), cfg["arguments"][0]
    return lambda s: (min(s, W) * ((init - w0) / W) + w0) if s < W + 1 else main(s - W - 1)


def main():
    rng = np.random.default_rng(20240611)
    w0 = rng.normal(size=N).astype(np.float32).astype(np.float64)
    grads = [rng.normal(size=N).astype(np.float32).astype(np.float64) * (0.5 + k) for k in range(STEPS)]
    lrs = [0.05, 0.04, 0.03, 0.05, 0.02, 0.01]

    cases = []

    def add(name, config, source, traj):
        cases.append({"optimizer": name, "config": config, "source": source,
                      "trajectory": [[float(x) for x in t] for t in traj]})

    # torch.optim references
    add("adam", {"bias_correction": True}, "torch.optim.Adam",
        torch_traj(lambda ps: torch.optim.Adam(ps, lr=0.1, betas=(0.9, 0.999), eps=1e-8), w0, grads, lrs))
    add("adam", {"bias_correction": True, "betas": [0.8, 0.95], "eps": 1e-6}, "torch.optim.Adam",
        torch_traj(lambda ps: torch.optim.Adam(ps, lr=0.1, betas=(0.8, 0.95), eps=1e-6), w0, grads, lrs))
    add("adamw", {"bias_correction": True}, "torch.optim.AdamW",
        torch_traj(lambda ps: torch.optim.AdamW(ps, lr=0.1, weight_decay=0.01), w0, grads, lrs))
    add("adamw", {"bias_correction": True, "weight_decay": 0.3}, "torch.optim.AdamW",
        torch_traj(lambda ps: torch.optim.AdamW(ps, lr=0.1, weight_decay=0.3), w0, grads, lrs))
    add("sgd", {}, "torch.optim.SGD", torch_traj(lambda ps: torch.optim.SGD(ps, lr=0.1), w0, grads, lrs))
    add("sgd", {"momentum": 0.9}, "torch.optim.SGD",
        torch_traj(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9), w0, grads, lrs))
    add("sgd", {"momentum": 0.9, "weight_decay": 0.1, "nesterov": True}, "torch.optim.SGD",
        torch_traj(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True),
                   w0, grads, lrs))
    add("sgd", {"momentum": 0.5, "weight_decay": 0.05}, "torch.optim.SGD",
        torch_traj(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.5, weight_decay=0.05), w0, grads, lrs))

    # mlx rules in numpy
    add("adam", {}, "numpy (mlx Adam, no bias correction)", np_adam(w0, grads, lrs))
    add("adamw", {}, "numpy (mlx AdamW, no bias correction)", np_adam(w0, grads, lrs, wd=0.01))
    add("sgd", {"momentum": 0.9, "dampening": 0.3}, "numpy (mlx SGD dampening)",
        np_sgd(w0, grads, lrs, momentum=0.9, dampening=0.3))
    add("lion", {}, "numpy (mlx Lion)", np_lion(w0, grads, lrs))
    add("lion", {"betas": [0.95, 0.98], "weight_decay": 0.1}, "numpy (mlx Lion)",
        np_lion(w0, grads, lrs, b1=0.95, b2=0.98, wd=0.1))
    add("adafactor", {}, "numpy (mlx Adafactor)", np_adafactor(w0, grads, lrs))
    add("adafactor", {"relative_step": False, "scale_parameter": False, "beta_1": 0.9, "weight_decay": 0.1,
                      "clip_threshold": 0.5}, "numpy (mlx Adafactor)",
        np_adafactor(w0, grads, lrs, relative_step=False, scale_parameter=False, beta_1=0.9, weight_decay=0.1,
                     clip_threshold=0.5))
    add("adafactor", {"warmup_init": True, "decay_rate": -0.5, "eps": [1e-20, 1e-2]}, "numpy (mlx Adafactor)",
        np_adafactor(w0, grads, lrs, warmup_init=True, decay_rate=-0.5, eps=(1e-20, 1e-2)))
    add("muon", {}, "numpy (mlx Muon)", np_muon(w0, grads, lrs))
    add("muon", {"nesterov": False, "weight_decay": 0.0, "momentum": 0.9, "ns_steps": 3}, "numpy (mlx Muon)",
        np_muon(w0, grads, lrs, nesterov=False, weight_decay=0.0, momentum=0.9, ns_steps=3))
    add("muon", {"adamw_fallback": True}, "numpy (mlx Muon + AdamW for 1-D)", np_muon(w0, grads, lrs, adamw_fallback=True))

    # schedules
    iters = 50
    sched_cfgs = [
        {"name": "cosine_decay", "arguments": [1e-3, 30, 1e-5]},
        {"name": "cosine_decay", "arguments": [1e-3, 30]},
        {"name": "cosine_decay", "arguments": [1e-5, {"iters_fraction": 0.8}, 2e-6], "warmup": 5, "warmup_init": 1e-7},
        {"name": "linear_schedule", "arguments": [1e-3, 1e-4, 20], "warmup": 3},
        {"name": "exponential_decay", "arguments": [1e-2, 0.9]},
        {"name": "step_decay", "arguments": [1e-2, 0.5, 7], "warmup": 4, "warmup_init": 1e-4},
        {"name": "constant", "arguments": [3e-4], "warmup": 10},
    ]
    schedules = [{"config": c, "iters": iters, "lr": [schedule(c, iters)(s) for s in range(60)]} for c in sched_cfgs]

    # grad clipping (torch.nn.utils.clip_grad_norm_ scales by max_norm / (norm + 1e-6) when norm > max_norm)
    clips = []
    for max_norm in [0.5, 5.0, 100.0]:
        g = torch.tensor(grads[1], dtype=torch.float32)
        p = torch.nn.Parameter(torch.zeros(N)); p.grad = g.clone()
        norm = torch.nn.utils.clip_grad_norm_([p], max_norm)
        clips.append({"max_norm": max_norm, "grads": [float(x) for x in grads[1]], "norm": float(norm),
                      "clipped": [float(x) for x in p.grad.numpy()]})

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "optim_cases.json"), "w") as f:
        json.dump({"generator": "tests/reference/optim_reference.py", "torch": torch.__version__,
                   "layout": [{"name": n, "offset": o, "rows": r, "cols": c} for n, o, r, c in LAYOUT], "n": N,
                   "w0": [float(x) for x in w0], "grads": [[float(x) for x in g] for g in grads], "lrs": lrs,
                   "cases": cases, "schedules": schedules, "clips": clips}, f, indent=0)
    print("wrote", len(cases), "optimizer cases,", len(schedules), "schedules,", len(clips), "clip cases")


if __name__ == "__main__":
    main()
