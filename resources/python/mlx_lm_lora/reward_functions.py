"""Alias: mlx-lm-lora's README imports `mlx_lm_lora.reward_functions`; the real module is
`mlx_lm_lora.trainer.grpo_reward_functions`. Both work here."""
from mlx_lm_lora.trainer.grpo_reward_functions import *  # noqa: F401,F403
from mlx_lm_lora.trainer.grpo_reward_functions import (  # noqa: F401
    REWARD_REGISTRY,
    RewardFunctions,
    get_default_reward_functions,
    get_reward_function,
    list_available_reward_functions,
    r1_extract_xml_answer,
    register_reward_function,
)
