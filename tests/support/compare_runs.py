#!/usr/bin/env python3
"""Compares two Reinforge run folders that should be the same run up to the order of floating-point
additions (a data-parallel run against the one-process run with the same global batch).

usage: compare_runs.py RUN_A RUN_B [--from-step K]

  rollouts.jsonl  every key equal: prompts, completions, tokens, rewards, groups, verdicts (exact: sampling gives a
                  completion the same seed and stream for any number of ranks); advantages within
                  1e-6 (GRPO's come from the rewards alone; REINFORCE's include beta * KL of float
                  log-probs, whose rounding depends on the batch a row is computed in: ~1e-9 seen);
                  token_logps (written with 4 decimals) within one rounding step
  judgments.jsonl the same verdicts in the same order (rank 0 writes every rank's), "time" aside
  metrics.jsonl   the same rows (train, val, test) and every metric but wall-clock ones within rel
                  1e-4 / abs 1e-6
  adapters        the final adapters.safetensors within abs 1e-5 of each other (LoRA B starts at 0
                  and moves by ~learning_rate per step, so this is ~20% of one step's update)
Rows before --from-step are not compared (a resumed run's earlier rows may come from another run).
Exit 0 when they agree, 1 with the differences otherwise."""
import json, os, struct, sys
from array import array

WALL = {"step_time", "iterations_per_second", "time_generate", "time_score", "time_train", "tokens_per_second",
        "peak_memory"}
# ADV_ABS was 1e-9 (enough for GRPO); REINFORCE with baseline running_mean failed it with
#   rollout 33: advantage -0.27590650000992945 vs -0.27590650113189924
#   rollout 34: advantage -1.4740303548574447 vs -1.4740303562879562
# (beta * KL of float log-probs computed in batches of other rows), hence 1e-6.
REL, ABS, ADAPTER_ABS, ADV_ABS = 1e-4, 1e-6, 1e-5, 1e-6


def rows(path, from_step):
    with open(path) as f:
        return [r for r in (json.loads(l) for l in f if l.strip()) if r.get("step", 0) >= from_step]


def tensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        assert t["dtype"] == "F32", (name, t["dtype"])
        a, b = t["data_offsets"]
        out[name] = array("f", data[a:b])
    return out


def main():
    a, b = sys.argv[1], sys.argv[2]
    from_step = int(sys.argv[sys.argv.index("--from-step") + 1]) if "--from-step" in sys.argv else 0
    bad = []
    maybe = lambda run, name: rows(f"{run}/{name}", from_step) if os.path.exists(f"{run}/{name}") else []
    ra, rb = maybe(a, "rollouts.jsonl"), maybe(b, "rollouts.jsonl")  # none for SFT
    if len(ra) != len(rb):
        bad.append(f"rollouts: {len(ra)} vs {len(rb)} rows")
    for i, (x, y) in enumerate(zip(ra, rb)):
        for k in sorted(set(x) | set(y)):  # every key: a field the ranks forget to send shows here
            if k == "advantage":
                if abs(x[k] - y[k]) > ADV_ABS:
                    bad.append(f"rollout {i}: advantage {x[k]} vs {y[k]}")
            elif k == "token_logps":  # written with 4 decimals: one rounding step apart at most
                if len(x[k]) != len(y[k]) or any(abs(p - q) > 1.5e-4 for p, q in zip(x[k], y[k]) if p is not None and q is not None):
                    bad.append(f"rollout {i}: token_logps differ")
            elif x.get(k) != y.get(k):
                bad.append(f"rollout {i} (step {x['step']}): {k} {x.get(k)!r} vs {y.get(k)!r}")
    ja, jb = maybe(a, "judgments.jsonl"), maybe(b, "judgments.jsonl")
    strip = lambda r: {k: v for k, v in r.items() if k != "time"}
    if len(ja) != len(jb) or any(strip(x) != strip(y) for x, y in zip(ja, jb)):
        bad.append(f"judgments.jsonl differ ({len(ja)} vs {len(jb)} lines)")
    ma, mb = rows(f"{a}/metrics.jsonl", from_step), rows(f"{b}/metrics.jsonl", from_step)
    if [(r["phase"], r["step"]) for r in ma] != [(r["phase"], r["step"]) for r in mb] or not ma:
        bad.append(f"metrics: rows differ: {[(r['phase'], r['step']) for r in ma]} vs {[(r['phase'], r['step']) for r in mb]}")
    worst = 0.0
    for x, y in zip(ma, mb):
        if set(x) != set(y):
            bad.append(f"step {x['step']}: metric names differ: {sorted(set(x) ^ set(y))}")
        for k in x:
            bare = k.removeprefix("val_").removeprefix("test_")
            if bare in WALL or k == "phase" or k not in y or x[k] is None or y[k] is None:
                continue
            d = abs(x[k] - y[k])
            worst = max(worst, d / max(abs(x[k]), 1e-12) if d > ABS else 0.0)
            if d > ABS and d > REL * abs(x[k]):
                bad.append(f"step {x['step']}: {k} {x[k]!r} vs {y[k]!r}")
    ta, tb = tensors(f"{a}/adapters/adapters.safetensors"), tensors(f"{b}/adapters/adapters.safetensors")
    if set(ta) != set(tb):
        bad.append("adapters: different tensors")
    diff = max((abs(p - q) for n in ta if n in tb for p, q in zip(ta[n], tb[n])), default=0.0)
    if diff > ADAPTER_ABS:
        bad.append(f"adapters: max |a - b| = {diff:.3g} > {ADAPTER_ABS}")
    print(f"compared {len(ra)} rollouts, {len(ja)} judgments, {len(ma)} metric rows (worst relative difference of those over abs {ABS}: {worst:.2g}), "
          f"{sum(len(t) for t in ta.values())} adapter weights (max |a - b| = {diff:.3g})")
    for line in bad[:20]:
        print("  " + line)
    return 1 if bad else 0


sys.exit(main())
