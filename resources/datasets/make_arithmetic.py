#!/usr/bin/env python3
"""Generates the bundled arithmetic task of the embedded default (SPEC §14), deterministic from a seed.

Writes, next to this script:
  arithmetic/{train,valid,test}.jsonl      prompt, answer, type       (GRPO / REINFORCE / RLOO / PPO)
  arithmetic-sft/{train,valid}.jsonl       messages with worked solutions in <think>…</think><answer>…</answer>

Usage: make_arithmetic.py [--seed 1234] [--train 4000] [--valid 200] [--test 200]
No third-party modules; Python's own `random.Random(seed)` makes it reproducible on any machine.
"""
import argparse
import json
import os
import random

# The GRPO default system prompt of mlx-lm-lora (reference notes §2.5); the trainers use the same text.
SYSTEM_PROMPT = ("You are given a problem. Think about the problem and provide your working out. "
                 "Place it between <think> and </think>. Then, provide your solution between "
                 "<answer> </answer>.")
SYSTEM_EVERY = 4


def working(kind, a, b):
    """The worked solution, column by column as taught at school: each line is one single-digit step
    (a carry or borrow is said out loud), then the whole equation. A model this small learns such
    steps from a few thousand examples, where the one-line answer "47 + 38 = 85" took it far longer
    (docs/embedded-default.md)."""
    a0, a1, b0, b1 = a % 10, a // 10, b % 10, b // 10
    if kind == "add":
        whole = f"{a} + {b} = {a + b}"
        if a < 10 and b < 10:
            return whole
        s0 = a0 + b0
        carry = s0 // 10
        return "\n".join([f"{a0} + {b0} = {s0}" + (", carry 1" if carry else ""),
                          f"{a1} + {b1}" + (" + 1" if carry else "") + f" = {a1 + b1 + carry}", whole])
    if kind == "sub":
        whole = f"{a} - {b} = {a - b}"
        if a < 10:
            return whole
        if a0 >= b0:
            return "\n".join([f"{a0} - {b0} = {a0 - b0}", f"{a1} - {b1} = {a1 - b1}", whole])
        return "\n".join([f"{a0 + 10} - {b0} = {a0 + 10 - b0}, borrow 1", f"{a1} - {b1} - 1 = {a1 - b1 - 1}", whole])
    whole = f"{a} * {b} = {a * b}"   # a in 2..9, b in 2..19
    if b < 10:
        return whole
    p0 = a * b0
    carry = p0 // 10
    return "\n".join([f"{a} * {b0} = {p0}" + (f", carry {carry}" if carry else ""),
                      f"{a} * 1" + (f" + {carry}" if carry else "") + f" = {a + carry}", whole])


def make_problem(rng):
    kind = rng.choice(["add", "sub", "mul"])
    if kind == "add":
        a, b = rng.randint(0, 99), rng.randint(0, 99)
        question, result = f"What is {a} + {b}?", a + b
    elif kind == "sub":
        a, b = rng.randint(0, 99), rng.randint(0, 99)
        a, b = max(a, b), min(a, b)
        question, result = f"What is {a} - {b}?", a - b
    else:
        a, b = rng.randint(2, 9), rng.randint(2, 19)
        question, result = f"What is {a} * {b}?", a * b
    return kind, question, working(kind, a, b), str(result)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--train", type=int, default=4000)
    ap.add_argument("--valid", type=int, default=200)
    ap.add_argument("--test", type=int, default=200)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    here = os.path.dirname(os.path.abspath(__file__))
    seen = set()
    splits = {}
    for split, n in (("test", args.test), ("valid", args.valid), ("train", args.train)):
        rows = []
        while len(rows) < n:
            kind, question, work, answer = make_problem(rng)
            # held-out splits never repeat a question; train may repeat train questions only
            if split != "train" and question in seen:
                continue
            if split == "train" and question in held_out:
                continue
            seen.add(question)
            rows.append((kind, question, work, answer))
        splits[split] = rows
        if split == "valid":
            held_out = set(seen)
        if split == "test":
            held_out = set(seen)
    rl_dir = os.path.join(here, "arithmetic")
    sft_dir = os.path.join(here, "arithmetic-sft")
    os.makedirs(rl_dir, exist_ok=True)
    os.makedirs(sft_dir, exist_ok=True)
    for split, rows in splits.items():
        with open(os.path.join(rl_dir, f"{split}.jsonl"), "w") as f:
            for kind, question, _, answer in rows:
                f.write(json.dumps({"prompt": question, "answer": answer, "type": kind}) + "\n")
        if split == "test":
            continue
        with open(os.path.join(sft_dir, f"{split}.jsonl"), "w") as f:
            for i, (_, question, work, answer) in enumerate(rows):
                completion = f"<think>\n{work}\n</think>\n<answer>{answer}</answer>"
                # Every SYSTEM_EVERY-th row carries the GRPO system prompt, the others none: the
                # model learns the format from the examples alone, so the presets can leave the
                # ~60-token system prompt out (2-3x fewer tokens per sequence, docs/embedded-default.md)
                # and it still answers in format when a user keeps mlx-lm-lora's default prompt.
                system = [{"role": "system", "content": SYSTEM_PROMPT}] if i % SYSTEM_EVERY == 0 else []
                f.write(json.dumps({"messages": system + [
                    {"role": "user", "content": question},
                    {"role": "assistant", "content": completion}]}) + "\n")


if __name__ == "__main__":
    main()
