#!/usr/bin/python3
"""Reference distributions for engine/sampling/sampler.* (tests/engine/test_sampler.cpp).

Re-implements mlx-lm's make_sampler chain (ml-explore/mlx-lm: mlx_lm/sample_utils.py) in numpy,
float32 like MLX, function by function:
    apply_top_p -> apply_min_p -> apply_top_k -> categorical(logprobs * (1 / temp))
and writes, for random logit vectors and parameter sets, the exact distribution the final
categorical draws from. Cases whose result depends on tie order or on rounding at a cut-off are
skipped (the C++ ranks ties by id and sums in double), so every written case has one right answer.

Run: /usr/bin/python3 tests/reference/gen_sampler_fixtures.py   (writes tests/fixtures/gen/sampler_cases.json)
"""
import json
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "gen", "sampler_cases.json")


def log_softmax(x):
    x = x.astype(np.float32)
    m = x.max()
    return (x - (m + np.log(np.exp(x - m).sum(dtype=np.float64)))).astype(np.float32)


# --- mlx_lm/sample_utils.py, transcribed to numpy -------------------------------------------
def apply_top_p(logprobs, top_p):
    probs = np.exp(logprobs)
    sorted_indices = np.argsort(logprobs, kind="stable")  # ascending
    sorted_probs = probs[sorted_indices]
    cumulative_probs = np.cumsum(sorted_probs, dtype=np.float32)
    sorted_keep = cumulative_probs > 1 - top_p
    keep = np.zeros_like(sorted_keep)
    keep[sorted_indices] = sorted_keep
    return np.where(keep, logprobs, -np.inf).astype(np.float32), cumulative_probs


def apply_min_p(logprobs, min_p, min_tokens_to_keep=1):
    top_logprobs = logprobs.max()
    scaled_min_p = top_logprobs + math.log(min_p)
    tokens_to_remove = logprobs < scaled_min_p
    if min_tokens_to_keep > 1:
        top_indices = np.argpartition(logprobs, -min_tokens_to_keep)[-min_tokens_to_keep:]
        tokens_to_remove[top_indices] = False
    return np.where(tokens_to_remove, -np.inf, logprobs).astype(np.float32), scaled_min_p


def apply_top_k(logprobs, top_k):
    mask_idx = np.argpartition(-logprobs, top_k - 1)[top_k:]
    out = logprobs.copy()
    out[mask_idx] = -np.inf
    return out


def final_distribution(logprobs, temp):
    z = logprobs.astype(np.float64) * (1.0 / temp)
    z = z - z[np.isfinite(z)].max()
    p = np.where(np.isfinite(z), np.exp(z), 0.0)
    return p / p.sum()
# -----------------------------------------------------------------------------------------------


def run_case(logits, temp, top_p, min_p, top_k, min_keep):
    """Returns the distribution, or None when the case sits on a tie or a rounding edge."""
    lp = log_softmax(logits)
    if len(np.unique(lp)) != len(lp):
        return None
    x = lp
    if 0 < top_p < 1.0:
        x, cum = apply_top_p(x, top_p)
        if np.min(np.abs(cum.astype(np.float64) - (1 - top_p))) < 1e-4:
            return None
    if min_p != 0.0:
        x, thr = apply_min_p(x, min_p, min_keep)
        if np.min(np.abs(lp.astype(np.float64) - thr)) < 1e-4:
            return None
    if top_k > 0:
        if top_k >= len(lp):
            return None
        x = apply_top_k(x, top_k)
    return final_distribution(x, temp)


def main():
    rng = np.random.default_rng(20240601)
    cases = []
    params = [
        # temp, top_p, min_p, top_k, min_tokens_to_keep
        (1.0, 1.0, 0.0, 0, 1),
        (0.7, 1.0, 0.0, 0, 1),
        (1.3, 1.0, 0.0, 0, 1),
        (1.0, 0.9, 0.0, 0, 1),
        (0.8, 0.95, 0.0, 20, 1),  # the GRPO defaults (min_p 0)
        (1.0, 0.5, 0.0, 0, 1),
        (1.0, 1.0, 0.05, 0, 1),
        (0.6, 1.0, 0.2, 0, 1),
        (1.0, 1.0, 0.5, 0, 3),
        (1.0, 1.0, 0.0, 5, 1),
        (2.0, 1.0, 0.0, 1, 1),
        (0.8, 0.9, 0.1, 10, 1),
        (1.0, 0.3, 0.02, 50, 1),
        (0.5, 0.99, 0.01, 3, 2),
    ]
    for V, scale in [(7, 1.0), (50, 2.0), (300, 3.0), (1000, 4.0)]:
        for (temp, top_p, min_p, top_k, keep) in params:
            for attempt in range(20):
                # 3 decimals: short in JSON, and the C++ test reads the same float32 values
                x = np.round(rng.standard_normal(V) * scale, 3)
                while len(np.unique(x)) != V:  # nudge duplicates apart by 0.001
                    _, first = np.unique(x, return_index=True)
                    dup = np.setdiff1d(np.arange(V), first)
                    x[dup] = np.round(x[dup] + 0.001, 3)
                logits = x.astype(np.float32)
                dist = run_case(logits, temp, top_p, min_p, top_k, keep)
                if dist is not None:
                    break
            else:
                continue
            nz = np.nonzero(dist)[0]
            cases.append({
                "vocab": V, "temperature": temp, "top_p": top_p, "min_p": min_p, "top_k": top_k,
                "min_tokens_to_keep": keep,
                "logits": [round(float(v), 3) for v in logits],
                "kept_ids": [int(i) for i in nz],
                "kept_probs": [float("%.10g" % dist[i]) for i in nz],
            })
    with open(OUT, "w") as f:
        json.dump({"generator": "tests/reference/gen_sampler_fixtures.py", "cases": cases}, f)
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
