"""The reward-function registry of mlx-lm-lora (`mlx_lm_lora.trainer.grpo_reward_functions`), as
Reinforge provides it to the python3 reward worker (resources/python/reinforge_reward_worker.py).

A reward function is called once per step with the whole batch:

    fn(prompts, completions, answer, types=None) -> list[float]

and returns one number (or None: "not applicable") per completion. Files written for mlx-lm-lora
register theirs with

    from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function

    @register_reward_function("my_name")      # or @register_reward_function() for fn.__name__
    def my_reward(prompts, completions, answer, types=None): ...

The five r1_* functions below follow the behaviour documented for mlx-lm-lora (Reinforge's engine
runs its own C++ port of them, checked against tests/reference/r1_rewards_reference.py); they are
here so that a file may call them or look them up.
"""
import re
from typing import Callable, Dict, List, Optional

RewardFunctions = Callable[[List[str], List[str], List[str], Optional[List[str]]], List[float]]

REWARD_REGISTRY: Dict[str, RewardFunctions] = {}


def register_reward_function(name: Optional[str] = None):
    """Decorator: registers the function under `name`, or under its __name__ when name is None."""

    def decorator(func: RewardFunctions) -> RewardFunctions:
        REWARD_REGISTRY[name or func.__name__] = func
        return func

    return decorator


def get_reward_function(name: str) -> RewardFunctions:
    if name not in REWARD_REGISTRY:
        raise KeyError(
            f"Reward function '{name}' not found. "
            f"Available functions: {list(REWARD_REGISTRY.keys())}"
        )
    return REWARD_REGISTRY[name]


def list_available_reward_functions() -> List[str]:
    return list(REWARD_REGISTRY.keys())


def r1_extract_xml_answer(text: str) -> str:
    """The text between the last <answer> and the next </answer>, stripped (whole text if no tags)."""
    after_open = text.split("<answer>")[-1]
    return after_open.split("</answer>")[0].strip()


def _no_completions(prompts):
    return [0.0] * len(prompts)


@register_reward_function()
def r1_int_reward_func(prompts, completions, answer, types=None) -> List[float]:
    """0.5 when the extracted answer is made of digits only."""
    if not completions:
        return _no_completions(prompts)
    scores = []
    for completion in completions:
        extracted = r1_extract_xml_answer(completion)
        scores.append(0.5 if extracted and extracted.isdigit() else 0.0)
    return scores


@register_reward_function()
def r1_accuracy_reward_func(prompts, completions, answer, types=None) -> List[float]:
    """2.0 when the extracted answer equals the dataset answer exactly."""
    if not completions or not answer:
        return _no_completions(prompts)
    scores = []
    for completion, expected in zip(completions, answer):
        extracted = r1_extract_xml_answer(completion)
        scores.append(2.0 if extracted and expected and extracted == expected else 0.0)
    return scores


@register_reward_function()
def r1_soft_format_reward_func(prompts, completions, answer, types=None) -> List[float]:
    """0.5 when the first <think>, </think>, <answer>, </answer> appear in this order and both
    enclosed texts are non-blank."""
    if not completions:
        return _no_completions(prompts)
    scores = []
    for completion in completions:
        positions = [completion.find(tag) for tag in ("<think>", "</think>", "<answer>", "</answer>")]
        ok = False
        if completion and -1 not in positions:
            a, b, c, d = positions
            if a < b < c < d:
                thinking = completion[a + len("<think>"):b].strip()
                answered = completion[c + len("<answer>"):d].strip()
                ok = bool(thinking) and bool(answered)
        scores.append(0.5 if ok else 0.0)
    return scores


_STRICT = re.compile(r"<think> .*? </think> <answer> .*? </answer>")


@register_reward_function()
def r1_strict_format_reward_func(prompts, completions, answer, types=None) -> List[float]:
    """0.5 for "<think> ... </think> <answer> ... </answer>" with single spaces, on one line."""
    if not completions:
        return _no_completions(prompts)
    return [0.5 if completion and _STRICT.search(completion) else 0.0 for completion in completions]


@register_reward_function()
def r1_count_xml(prompts, completions, answer, types=None) -> List[float]:
    """0.125 for each tag present exactly once, minus 0.001 per character after the last </answer>
    (the whole text when there is none), never below 0."""
    if not completions:
        return _no_completions(prompts)
    scores = []
    for text in completions:
        if not text:
            scores.append(0.0)
            continue
        value = 0.0
        for tag in ("<think>\n", "</think>", "<answer>", "</answer>"):
            if text.count(tag) == 1:
                value += 0.125
        trailing = text.split("</answer>")[-1]
        if len(trailing) > 0:
            value -= len(trailing) * 0.001
        scores.append(max(0.0, value))
    return scores


def get_default_reward_functions() -> List[RewardFunctions]:
    """accuracy, int, strict_format, soft_format, count_xml (mlx-lm-lora's order)."""
    return [
        r1_accuracy_reward_func,
        r1_int_reward_func,
        r1_strict_format_reward_func,
        r1_soft_format_reward_func,
        r1_count_xml,
    ]
