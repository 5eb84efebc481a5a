"""Reinforge's stand-in for the `mlx_lm_lora` package, so that a reward-functions file written for
mlx-lm-lora runs unchanged in Reinforge's python3 reward worker. Only the reward-function registry is
provided (mlx_lm_lora.trainer.grpo_reward_functions); nothing here needs MLX."""
