#!/usr/bin/python3
"""Reference for fill_template() (engine/judge/judge_prompts.cpp): mlx-lm-lora fills a custom
judge_config.system_prompt with Python's str.format(prompt=..., response0=..., response1=...).
Writes tests/fixtures/rewards/judge_templates.json with templates valid for str.format and the
text Python produces.

    /usr/bin/python3 tests/reference/judge_templates_reference.py
"""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TEMPLATES = [
    "{prompt}\n0: {response0}\n1: {response1}",
    'Reply as JSON {{"scores": [{{"model_identifier": "0", "score": <float>}}, '
    '{{"model_identifier": "1", "score": <float>}}]}}\n'
    '{{"instruction": """{prompt}"""}}\n{{"model_identifier": "0", "output": """{response0}"""}}\n'
    '{{"model_identifier": "1", "output": """{response1}"""}}',
    "{{prompt}} is literal, {prompt} is not; {{{response0}}} is wrapped; }}{{ {response1}",
    "no placeholders at all",
    "{response1}{response0}{prompt}{prompt}",
    "Unicode: «{prompt}» → {response0} ✓ {response1} 😀",
]
VALUES = [
    {"prompt": "What is 2+2?", "response0": "4", "response1": "five"},
    {"prompt": "Braces {in} the {{prompt}}", "response0": "{response1}", "response1": "}{"},
    {"prompt": "", "response0": "multi\nline\n", "response1": "émoji 😀"},
]


def main():
    cases = []
    for t in TEMPLATES:
        for v in VALUES:
            cases.append({"template": t, "values": v, "expected": t.format(**v)})
    out = os.path.join(ROOT, "tests", "fixtures", "rewards", "judge_templates.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"generator": "tests/reference/judge_templates_reference.py", "cases": cases}, f,
                  ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {out}: {len(cases)} cases")


if __name__ == "__main__":
    main()
