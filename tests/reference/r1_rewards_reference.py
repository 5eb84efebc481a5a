#!/usr/bin/python3
"""Reference for the C++ port of mlx-lm-lora's five r1_* reward functions.

The five functions are written here as the reference notes give them
(/work/shared/reference/mlx-lora-studio-and-mlx-lm-lora.md §4, "Exact rule" column), and the
script writes tests/fixtures/rewards/r1_cases.json: ~200 varied completions with the score of each
function, which tests/engine/test_rewards_r1.cpp compares with the C++ functions.

It also checks that the shim module Reinforge ships to the python3 reward worker
(resources/python/mlx_lm_lora/trainer/grpo_reward_functions.py) agrees on every case.

    /usr/bin/python3 tests/reference/r1_rewards_reference.py
"""
import json
import os
import random
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# ---- the five functions, as in the notes -------------------------------------------------------

def r1_extract_xml_answer(t):
    return t.split("<answer>")[-1].split("</answer>")[0].strip()


def r1_accuracy_reward_func(prompts, completions, answer, types=None):
    if not completions or not answer:
        return [0.0] * len(prompts)
    rs = [r1_extract_xml_answer(c) for c in completions]
    return [2.0 if r and a and r == a else 0.0 for r, a in zip(rs, answer)]


def r1_int_reward_func(prompts, completions, answer, types=None):
    if not completions:
        return [0.0] * len(prompts)
    rs = [r1_extract_xml_answer(c) for c in completions]
    return [0.5 if r and r.isdigit() else 0.0 for r in rs]


def r1_strict_format_reward_func(prompts, completions, answer, types=None):
    if not completions:
        return [0.0] * len(prompts)
    pattern = r"<think> .*? </think> <answer> .*? </answer>"
    return [0.5 if c and re.search(pattern, c) else 0.0 for c in completions]


def r1_soft_format_reward_func(prompts, completions, answer, types=None):
    if not completions:
        return [0.0] * len(prompts)
    out = []
    for c in completions:
        ts, te = c.find("<think>"), c.find("</think>")
        as_, ae = c.find("<answer>"), c.find("</answer>")
        score = 0.0
        if c and -1 not in (ts, te, as_, ae) and ts < te < as_ < ae:
            if c[ts + 7:te].strip() and c[as_ + 8:ae].strip():
                score = 0.5
        out.append(score)
    return out


def r1_count_xml(prompts, completions, answer, types=None):
    if not completions:
        return [0.0] * len(prompts)
    out = []
    for text in completions:
        if not text:
            out.append(0.0)
            continue
        count = 0.0
        if text.count("<think>\n") == 1:
            count += 0.125
        if text.count("</think>") == 1:
            count += 0.125
        if text.count("<answer>") == 1:
            count += 0.125
        if text.count("</answer>") == 1:
            count += 0.125
        end_text = text.split("</answer>")[-1]
        count -= len(end_text) * 0.001 if len(end_text) > 0 else 0
        out.append(max(0.0, count))
    return out


FUNCS = [r1_accuracy_reward_func, r1_int_reward_func, r1_strict_format_reward_func,
         r1_soft_format_reward_func, r1_count_xml]


# ---- the cases ----------------------------------------------------------------------------------

# (completion, answer); completions given as bytes are decoded like a tokenizer's
# decode(errors="replace") would, and stored in the fixture as hex.
HAND = [
    # golden vectors of the notes (tests/test_reward_functions.py of mlx-lm-lora)
    ("x<answer> 42 </answer>y", "42"), (" plain ", "plain"),
    ("<answer>42</answer>", "42"), ("<answer>-1</answer>", "-1"), ("", ""),
    ("<answer>yes</answer>", "yes"), ("<answer>no</answer>", "yes"),
    ("<think>reason</think>\n<answer>42</answer>", "42"), ("<think></think>\n<answer>42</answer>", "42"),
    ("<answer>42</answer><think>reason</think>", "42"),
    ("<think> reason </think> <answer> 42 </answer>", "42"), ("<think>reason</think><answer>42</answer>", "42"),
    ("<think>\nreason</think><answer>42</answer>", "42"), ("<think>\nreason</think><answer>42</answer>extra", "42"),
    ("</answer>" + "x" * 500, ""),
    # answers are compared unstripped, case-sensitive
    ("<answer> 42 </answer>", " 42"), ("<answer>Yes</answer>", "yes"), ("<answer>42</answer>", "42 "),
    # digits: Python isdigit() accepts Unicode digits, superscripts, circled digits; not signs, dots
    ("<answer>٣</answer>", "٣"), ("<answer>²</answer>", "2"), ("<answer>①</answer>", "1"),
    ("<answer>４２</answer>", "42"), ("<answer>3.5</answer>", "3.5"), ("<answer>1,000</answer>", "1000"),
    ("<answer>½</answer>", "0.5"), ("<answer>Ⅻ</answer>", "12"), ("<answer>𝟘𝟙</answer>", "01"),
    ("<answer>+7</answer>", "7"), ("<answer>0</answer>", "0"), ("<answer>00</answer>", "0"),
    # Unicode whitespace that strip() removes (and ZWSP, which it does not)
    ("<answer>\u3000 42\u00a0</answer>", "42"), ("<answer>\u200b42</answer>", "42"),
    ("<answer>\u2028 7 \u2029</answer>", "7"), ("<answer>\x1c9\x1f</answer>", "9"), ("<answer>\x85 5\u205f</answer>", "5"),
    ("<answer>\t\n\x0b\x0c\r8 </answer>", "8"), ("<answer>\ufeff8</answer>", "8"),
    # several tags: last <answer>, first </answer> after it
    ("<answer>1</answer><answer>2</answer>", "2"), ("<answer>1</answer> <answer>2", "2"),
    ("<answer>1<answer>2</answer>3</answer>", "2"), ("</answer>5<answer>", ""), ("no tags at all", "no tags at all"),
    # strict format: single spaces, no newline inside, search anywhere
    ("prefix <think> a </think> <answer> b </answer> suffix", "b"), ("<think>  a  </think> <answer> b </answer>", "b"),
    ("<think> a\nb </think> <answer> c </answer>", "c"), ("<think> a </think>\n<answer> c </answer>", "c"),
    ("<think>  </think> <answer>  </answer>", ""), ("<think> a </think> <answer> b </answer>\n", "b"),
    ("<think> a </think> <answer> b\n </answer>", "b"), ("<think> \r </think> <answer> x </answer>", "x"),
    ("line1\n<think> a </think> <answer> b </answer>", "b"), ("<think> é😀 </think> <answer> ٣ </answer>", "٣"),
    ("<think> a </think> <answer> b </answer> <think> c </think> <answer> d", "d"),
    ("<think> a </think>  <answer> b </answer>", "b"), ("<THINK> a </THINK> <ANSWER> b </ANSWER>", "b"),
    # soft format: first occurrences, non-blank contents
    ("<think>\u3000</think><answer>1</answer>", "1"), ("<think>r</think><answer>\u00a0</answer>", ""),
    ("<think>r</think></think><answer>1</answer>", "1"), ("</think><think>r</think><answer>1</answer>", "1"),
    ("<think>r</think><answer>1</answer></answer>", "1"), ("<answer><think>r</think>1</answer>", "1"),
    ("<think>r<answer>1</think></answer>", "1"), ("<think>r</think>x<answer>y</answer>z", "y"),
    # count_xml: counts, "<think>\n" needs the newline, trailing text counted in characters
    ("<think>\n<think>\n</think><answer>1</answer>", "1"), ("<think>\nr</think></think><answer>1</answer>", "1"),
    ("<think>\r\nr</think><answer>1</answer>", "1"), ("<think>\nr</think><answer>1</answer>\n", "1"),
    ("<think>\nr</think><answer>1</answer>😀😀😀", "1"), ("<think>\nr</think><answer>1</answer>ééé", "1"),
    ("<think>\nr</think><answer>1</answer>" + "y" * 124, "1"), ("<think>\nr</think><answer>1</answer>" + "y" * 125, "1"),
    ("<think>\nr</think><answer>1</answer>" + "y" * 126, "1"), ("<think>\nr</think><answer>1</answer></answer>", "1"),
    ("<think>\n", ""), ("</think>", ""), ("<answer>", ""), ("</answer>", ""), ("x", "x"), (" ", " "),
    ("\n", ""), ("<think>\n\n</think>\n<answer>\n42\n</answer>\n", "42"),
    # invalid UTF-8 (a token cut inside a character): one U+FFFD per maximal subpart
    (b"<answer>42</answer>\xe2\x82", "42"), (b"<answer>42</answer>\xff\xfe", "42"),
    (b"<answer>42</answer>\xed\xa0\x80", "42"), (b"<answer>42</answer>\xf0\x9f\x98", "42"),
    (b"<answer>42</answer>\xe0\x80\xaf", "42"), (b"<answer>4\xc3</answer>", "4"),
    (b"<answer>\xf4\x90\x80\x80</answer>", ""), (b"<answer> 42 \xc2</answer>", "42"),
    (b"<think> \xc3\x28 </think> <answer> 1 </answer>", "1"), (b"\x80<answer>7</answer>\x80\x80", "7"),
]

PIECES = ["<think>", "<think>\n", "</think>", "<answer>", "</answer>", " ", "  ", "\n", "\u3000", "\u00a0",
          "42", "7", "٣", "²", "-1", "3.5", "yes", "reason", "😀", "é", "x" * 30, "\t", "<answer>12</answer>",
          "<think> r </think> <answer> 5 </answer>", "<think>\nok\n</think>\n<answer>\n5\n</answer>"]
ANSWERS = ["42", "7", "5", "12", "٣", "yes", "", " 42"]


def generated(n, seed=1234):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.randint(1, 9)
        text = "".join(rng.choice(PIECES) for _ in range(k))
        out.append((text, rng.choice(ANSWERS)))
    return out


def as_text(c):
    return c.decode("utf-8", errors="replace") if isinstance(c, bytes) else c


def load_shim():
    sys.path.insert(0, os.path.join(ROOT, "resources", "python"))
    from mlx_lm_lora.trainer import grpo_reward_functions as shim
    return shim


def main():
    cases = HAND + generated(130)
    prompts = [f"prompt {i}" for i in range(len(cases))]
    completions = [as_text(c) for c, _ in cases]
    answers = [a for _, a in cases]
    expected = {f.__name__: f(prompts, completions, answers) for f in FUNCS}

    shim = load_shim()
    for f in FUNCS:
        got = shim.get_reward_function(f.__name__)(prompts, completions, answers)
        assert got == expected[f.__name__], f"shim disagrees on {f.__name__}"
    assert [g.__name__ for g in shim.get_default_reward_functions()] == [f.__name__ for f in FUNCS]
    assert shim.r1_extract_xml_answer("x<answer> 42 </answer>y") == "42"

    rows = []
    for i, (c, a) in enumerate(cases):
        row = {"prompt": prompts[i], "answer": a}
        if isinstance(c, bytes):
            row["completion_hex"] = c.hex()
        else:
            row["completion"] = c
        row["extracted"] = r1_extract_xml_answer(completions[i])
        row["expected"] = {f.__name__: expected[f.__name__][i] for f in FUNCS}
        rows.append(row)
    # Edge calls on whole lists (empty completions / answers, zip() of unequal lengths).
    calls = []
    for f in FUNCS:
        for p, c, a in [(["p", "q"], [], ["a", "b"]), (["p"], ["<answer>a</answer>"], []),
                        (["p", "q", "r"], ["<answer>a</answer>", "<answer>b</answer>"], ["a"]), ([], [], [])]:
            calls.append({"function": f.__name__, "prompts": p, "completions": c, "answers": a,
                          "expected": f(p, c, a)})
    out = os.path.join(ROOT, "tests", "fixtures", "rewards", "r1_cases.json")
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"generator": "tests/reference/r1_rewards_reference.py",
                   "python": sys.version.split()[0], "cases": rows, "calls": calls},
                  fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    nonzero = {k: sum(1 for v in vals if v) for k, vals in expected.items()}
    print(f"wrote {out}: {len(rows)} cases; non-zero scores per function: {nonzero}")


if __name__ == "__main__":
    main()
