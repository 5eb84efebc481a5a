#!/usr/bin/python3
"""Reference values for engine/rl/losses*.cpp and advantages.cpp.

Run with Debian's python3 (torch 1.13):  /usr/bin/python3 tests/reference/losses_reference.py
Writes tests/fixtures/losses/losses_cases.json (deterministic; re-runnable).

The heads are written here the way TRL's GRPOTrainer._compute_loss and the seeds write them, as
tensor expressions in float64; dL/dlogp comes from torch.autograd, not from a hand derivation.
Every option combination of each head is enumerated on one shared random batch.
"""
import itertools
import json
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "losses")
torch.set_default_dtype(torch.float64)

N, T, G = 8, 6, 4
MAX_COMPLETION_LENGTH = 9


def make_inputs():
    g = torch.Generator().manual_seed(1234)
    lengths = [6, 3, 5, 1, 6, 2, 4, 6]
    mask = torch.zeros(N, T)
    for i, n in enumerate(lengths):
        mask[i, :n] = 1.0
    logp = -(0.05 + 2.45 * torch.rand(N, T, generator=g))
    old = logp + 0.25 * torch.randn(N, T, generator=g)
    ref = logp + 0.3 * torch.randn(N, T, generator=g)
    rewards = torch.tensor([7.0, 3.5, 9.0, 0.0, 5.0, 5.5, 2.0, 8.0])
    advantages = torch.tensor([1.2, -0.7, 0.0, -1.5, 0.4, -0.2, 2.0, -1.1])
    truncated = [0, 1, 0, 0, 1, 0, 0, 0]
    score_gap = [3.0, float("nan"), 1.5, 6.0]
    nan = float("nan")
    # 3 reward functions x 8 completions; NaN = not applicable. Group 2 (rows 4..7) has equal totals.
    fn_rewards = [[2.0, 0.0, 2.0, 0.0, 1.0, 1.0, 1.0, 1.0],
                  [0.5, 0.5, nan, 0.0, 0.0, 0.0, 0.0, 0.0],
                  [0.1, nan, 0.3, 0.2, nan, nan, nan, nan]]
    return dict(mask=mask, logp=logp, old=old, ref=ref, rewards=rewards, advantages=advantages,
                truncated=truncated, score_gap=score_gap, fn_rewards=fn_rewards,
                fn_names=["accuracy", "int", "soft_format"], weights=[2.0, 0.5, 1.0])


def masked_seq_sum(x, m):
    return (x * m).sum(-1)


# ----------------------------------------------------------------------------- heads

def sft(inp):
    logp = inp["logp"].clone().requires_grad_(True)
    m = inp["mask"]
    loss = -(logp * m).sum() / m.sum().clamp(min=1.0)
    loss.backward()
    return loss, logp.grad, {"loss": loss.item(), "ntokens": m.sum().item()}


def baseline_values(r, kind, group_size, decay, state):
    if kind == "none":
        return torch.zeros_like(r), state
    if kind == "batch_mean":
        return torch.full_like(r, r.mean().item()), state
    if kind in ("per_prompt_mean", "rloo"):
        grp = r.view(-1, group_size)
        s = grp.sum(-1, keepdim=True)
        b = (s - grp) / (group_size - 1) if kind == "rloo" else s.expand_as(grp) / group_size
        return b.reshape(-1), state
    if kind == "running_mean":
        v, c = state["value"], state["count"]
        bm = r.mean().item()
        b = torch.full_like(r, v if c > 0 else bm)
        new = {"value": decay * v + (1 - decay) * bm if c > 0 else bm, "count": c + 1}
        return b, new
    raise ValueError(kind)


def reinforce(inp, beta, baseline, group_size, use_old, state, decay=0.9):
    logp = inp["logp"].clone().requires_grad_(True)
    m = inp["mask"]
    sampled = inp["old"] if use_old else logp.detach()
    kl = sampled - inp["ref"]  # per-token KL of the sampling policy, detached
    n = m.sum(-1)
    R = inp["rewards"]
    r_adj = R - beta * masked_seq_sum(kl, m) / n.clamp(min=1.0)
    b, new_state = baseline_values(r_adj, baseline, group_size, decay, state)
    A = (R[:, None] - beta * kl - b[:, None]).detach()
    loss = -(A * logp * m).sum() / m.sum().clamp(min=1.0)
    loss.backward()
    metrics = {"loss": loss.item(), "rewards": R.mean().item(), "rewards_std": R.std(unbiased=False).item(),
               "kl_penalty": masked_seq_sum(kl, m).mean().item(), "advantages": (r_adj - b).mean().item(),
               "policy_logps": masked_seq_sum(logp.detach(), m).mean().item(),
               "ref_logps": masked_seq_sum(inp["ref"], m).mean().item(), "ntokens": m.sum().item()}
    return loss, logp.grad, metrics, new_state


def grpo(inp, loss_type, level, ratio_against, mask_truncated, beta, eps_low, eps_high, use_old, tau_pos=1.0,
         tau_neg=1.05):
    """TRL GRPOTrainer._compute_loss (grpo / bnpo / dr_grpo / dapo / cispo / sapo), k3 KL, per-token or GSPO
    ratio. dapo and cispo divide by the active tokens of the whole accumulated batch: one batch here. cispo
    follows MiniMax-M1 eq. 4 with the upper bound 1 + eps_high (TRL clamps at eps_high itself). sapo is
    TRL's (SAPO, arXiv:2511.20347): soft gate sigmoid(tau (rho - 1)) 4 / tau, tau = tau_pos when A > 0 else
    tau_neg, reduced as grpo."""
    logp = inp["logp"].clone().requires_grad_(True)
    ref = inp["ref"]
    mask = inp["mask"].clone()
    if mask_truncated:
        mask = mask * (1 - torch.tensor(inp["truncated"], dtype=torch.float64))[:, None]
    advantages = inp["advantages"]
    base = ref if ratio_against == "reference" else (inp["old"] if use_old else logp.detach())
    log_ratio = logp - base
    if level == "token":
        log_importance_weights = log_ratio
    else:
        log_importance_weights = ((log_ratio * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)).unsqueeze(-1)
    coef_1 = torch.exp(log_importance_weights)
    coef_2 = torch.clamp(coef_1, 1 - eps_low, 1 + eps_high)
    per_token_loss1 = coef_1 * advantages.unsqueeze(1)
    per_token_loss2 = coef_2 * advantages.unsqueeze(1)
    per_token_loss = -torch.min(per_token_loss1, per_token_loss2)
    if loss_type == "cispo":
        clamped = torch.clamp(coef_1, max=1 + eps_high).detach()
        per_token_loss = -clamped * advantages.unsqueeze(1) * logp
    if loss_type == "sapo":
        A1 = advantages.unsqueeze(1)
        temperatures = torch.where(A1 > 0, torch.full_like(A1, tau_pos), torch.full_like(A1, tau_neg))
        soft_coef_1 = torch.sigmoid(temperatures * (coef_1 - 1)) * 4 / temperatures
        per_token_loss = -soft_coef_1 * A1
    per_token_kl = torch.exp(ref - logp) - (ref - logp) - 1
    if beta != 0.0:
        per_token_loss = per_token_loss + beta * per_token_kl
    if loss_type in ("grpo", "sapo"):
        loss = ((per_token_loss * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)).mean()
    elif loss_type in ("bnpo", "dapo", "cispo"):
        loss = (per_token_loss * mask).sum() / mask.sum().clamp(min=1.0)
    else:
        loss = (per_token_loss * mask).sum() / (per_token_loss.size(0) * MAX_COMPLETION_LENGTH)
    loss.backward()

    count = mask.sum().clamp(min=1.0)

    def masked_batch_mean(x):
        return x.mean() if x.shape[1] == 1 else (x * mask).sum() / count

    A = advantages.unsqueeze(1)
    is_low = ((coef_1 < 1 - eps_low) & (A < 0)).double()
    is_high = ((coef_1 > 1 + eps_high) & (A > 0)).double()
    is_region = ((is_low + is_high) > 0).double()
    metrics = {"loss": loss.item(), "kl": masked_batch_mean(per_token_kl.detach()).item(),
               "clip_ratio_low": masked_batch_mean(is_low).item(),
               "clip_ratio_high": masked_batch_mean(is_high).item(),
               "clip_ratio_total": masked_batch_mean(is_region).item(), "ntokens": mask.sum().item()}
    return loss, logp.grad, metrics


def ppo(inp, advantage, ratio_against, level, kl_estimator, beta, eps, use_gap, rows=None):
    """Seed 001's PPO on (chosen, rejected) pairs, rows 2j / 2j+1, with the options of SPEC §8.2."""
    rows = rows if rows is not None else list(range(N))
    logp = inp["logp"][rows].clone().requires_grad_(True)
    old, ref, m = inp["old"][rows], inp["ref"][rows], inp["mask"][rows]
    P = len(rows) // 2
    S = masked_seq_sum(logp.detach(), m)
    S_old = masked_seq_sum(old, m)
    S_ref = masked_seq_sum(ref, m)
    if advantage == "preference":
        gaps = inp["score_gap"][:P] if use_gap else [float("nan")] * P
        a = torch.tensor([1.0 if g != g else g for g in gaps])
    else:
        a = S_old[0::2] - S_old[1::2]
        if P >= 2:
            a = (a - a.mean()) / (a.std(unbiased=False) + 1e-8)
    A = torch.stack([a, -a], dim=1).reshape(-1)  # chosen +a, rejected -a
    base = ref if ratio_against == "reference" else old
    log_ratio = logp - base
    n = m.sum(-1).clamp(min=1.0)
    if level == "token":
        coef = torch.exp(log_ratio)
    else:
        coef = torch.exp((log_ratio * m).sum(-1) / n).unsqueeze(-1)
    surr = -torch.min(coef * A[:, None], torch.clamp(coef, 1 - eps, 1 + eps) * A[:, None])
    if kl_estimator == "k3":
        kl = torch.exp(ref - logp) - (ref - logp) - 1
    else:
        kl = logp - ref
    per_token = surr + beta * kl
    loss = ((per_token * m).sum(-1) / n).sum() / P
    loss.backward()
    policy_loss = ((surr.detach() * m).sum(-1) / n).sum() / P
    kl_penalty = beta * ((kl.detach() * m).sum(-1) / n).sum() / P
    c = coef.detach()
    if level == "token":
        clip_fraction = (((c - 1).abs() > eps).double() * m).sum() / m.sum()
        ratios_mean = (c * m).sum() / m.sum()
    else:
        clip_fraction = ((c - 1).abs() > eps).double().mean()
        ratios_mean = c.mean()
    metrics = {"loss": loss.item(), "policy_loss": policy_loss.item(), "kl_penalty": kl_penalty.item(),
               "clip_fraction": clip_fraction.item(), "ratios_mean": ratios_mean.item(),
               "advantages_mean": a.mean().item(), "accuracies": (S[0::2] > S[1::2]).double().mean().item(),
               "margins": (S[0::2] - S[1::2]).mean().item(),
               "chosen_rewards": (beta * (S[0::2] - S_ref[0::2])).mean().item(),
               "rejected_rewards": (beta * (S[1::2] - S_ref[1::2])).mean().item()}
    return loss, logp.grad, metrics


def grpo_advantages(inp, scale):
    r = torch.tensor(inp["fn_rewards"])                  # K x N
    w = torch.tensor(inp["weights"])
    R = torch.nansum(r * w[:, None], dim=0)              # NaN (None) -> 0
    grouped = R.view(-1, G)
    mean_g = grouped.mean(dim=1).repeat_interleave(G)
    std_g = grouped.std(dim=1, unbiased=False).repeat_interleave(G)
    A = R - mean_g
    if scale == "group":
        A = A / (std_g + 1e-4)
    elif scale == "batch":
        A = A / (R.std(unbiased=False) + 1e-4)
    metrics = {"total_rewards_mean": R.mean().item(), "total_rewards_std": R.std(unbiased=False).item(),
               "grouped_rewards_mean": grouped.mean(dim=1).mean().item(),
               "grouped_rewards_std": grouped.std(dim=1, unbiased=False).mean().item(),
               "frac_reward_zero_std": torch.isclose(grouped.std(dim=1, unbiased=False),
                                                     torch.zeros(N // G)).double().mean().item()}
    for k, name in enumerate(inp["fn_names"]):
        vals = r[k][~torch.isnan(r[k])]
        metrics[name + "_mean"] = vals.mean().item()
        metrics[name + "_std"] = vals.std(unbiased=False).item()
        metrics[name + "_coverage"] = len(vals) / N
    return R, A, metrics


def pack(loss, grad, metrics, rows=None):
    return {"loss": loss.item(), "dlogp": [float(x) for x in grad.reshape(-1)], "metrics": metrics}


def main():
    inp = make_inputs()
    cases = []
    cases.append({"head": "sft", "options": {}, "expected": pack(*sft(inp))})

    for baseline, beta, group_size, use_old in itertools.product(
            ["none", "batch_mean", "running_mean", "per_prompt_mean", "rloo"], [0.0, 0.1], [2, 4], [True, False]):
        if baseline in ("none", "batch_mean", "running_mean") and group_size == 4:
            continue
        states = [{"value": 0.0, "count": 0}, {"value": 0.3, "count": 5}] if baseline == "running_mean" else [None]
        for state in states:
            loss, grad, metrics, new_state = reinforce(inp, beta, baseline, group_size, use_old, state)
            case = {"head": "reinforce", "options": {"beta": beta, "baseline": baseline, "group_size": group_size,
                                                     "use_old": use_old, "running_mean_decay": 0.9},
                    "expected": pack(loss, grad, metrics)}
            if state is not None:
                case["running_before"], case["running_after"] = state, new_state
            cases.append(case)

    for loss_type, level, ratio_against, mask_truncated, beta, eps_high in itertools.product(
            ["grpo", "bnpo", "dr_grpo", "dapo", "cispo", "sapo"], ["token", "sequence"], ["rollout", "reference"], [False, True], [0.0, 0.04],
            [0.2, 0.28]):
        opts = {"loss_type": loss_type, "importance_sampling_level": level, "ratio_against": ratio_against,
                "mask_truncated_completions": mask_truncated, "beta": beta, "epsilon": 0.2, "epsilon_high": eps_high,
                "max_completion_length": MAX_COMPLETION_LENGTH, "use_old": True}
        cases.append({"head": "grpo", "options": opts,
                      "expected": pack(*grpo(inp, loss_type, level, ratio_against, mask_truncated, beta, 0.2, eps_high,
                                             True))})
    # num_iterations 1: no separate old policy (ratio = 1, the plain policy gradient)
    # sapo with other gate temperatures (the defaults 1.0 / 1.05 are in the cases above)
    for (tau_pos, tau_neg), level, ratio_against in itertools.product([(0.5, 2.0), (3.0, 0.25)], ["token", "sequence"],
                                                                     ["rollout", "reference"]):
        opts = {"loss_type": "sapo", "importance_sampling_level": level, "ratio_against": ratio_against,
                "mask_truncated_completions": True, "beta": 0.04, "epsilon": 0.2, "epsilon_high": 0.2,
                "max_completion_length": MAX_COMPLETION_LENGTH, "use_old": True,
                "sapo_temperature_pos": tau_pos, "sapo_temperature_neg": tau_neg}
        cases.append({"head": "grpo", "options": opts,
                      "expected": pack(*grpo(inp, "sapo", level, ratio_against, True, 0.04, 0.2, 0.2, True, tau_pos,
                                             tau_neg))})
    for loss_type, level in itertools.product(["grpo", "bnpo", "dr_grpo", "dapo", "cispo", "sapo"], ["token", "sequence"]):
        opts = {"loss_type": loss_type, "importance_sampling_level": level, "ratio_against": "rollout",
                "mask_truncated_completions": False, "beta": 0.04, "epsilon": 0.2, "epsilon_high": 0.2,
                "max_completion_length": MAX_COMPLETION_LENGTH, "use_old": False}
        cases.append({"head": "grpo", "options": opts,
                      "expected": pack(*grpo(inp, loss_type, level, "rollout", False, 0.04, 0.2, 0.2, False))})

    for (advantage, use_gap), ratio_against, level, kl_estimator, beta in itertools.product(
            [("preference", False), ("preference", True), ("logprob_gap", False)], ["rollout", "reference"],
            ["token", "sequence"], ["k1", "k3"], [0.0, 0.1]):
        opts = {"advantage": advantage, "use_gap": use_gap, "ratio_against": ratio_against,
                "importance_sampling_level": level, "kl_estimator": kl_estimator, "beta": beta, "epsilon": 0.2,
                "rows": N}
        cases.append({"head": "ppo", "options": opts,
                      "expected": pack(*ppo(inp, advantage, ratio_against, level, kl_estimator, beta, 0.2, use_gap))})
    # One pair: the logprob_gap advantage is the raw gap (the backend's normalised one is 0 here).
    for advantage in ["preference", "logprob_gap"]:
        opts = {"advantage": advantage, "use_gap": False, "ratio_against": "rollout", "importance_sampling_level": "token",
                "kl_estimator": "k3", "beta": 0.1, "epsilon": 0.2, "rows": 2}
        cases.append({"head": "ppo", "options": opts,
                      "expected": pack(*ppo(inp, advantage, "rollout", "token", "k3", 0.1, 0.2, False, rows=[0, 1]))})

    adv_cases = []
    for scale in ["group", "batch", "none"]:
        R, A, metrics = grpo_advantages(inp, scale)
        adv_cases.append({"scale_rewards": scale, "total_rewards": R.tolist(), "advantages": A.tolist(),
                          "metrics": metrics})

    fixture = {"generator": "tests/reference/losses_reference.py", "torch": torch.__version__,
               "N": N, "T": T, "group_size": G,
               "inputs": {"mask": inp["mask"].reshape(-1).tolist(), "logp": inp["logp"].reshape(-1).tolist(),
                          "old_logp": inp["old"].reshape(-1).tolist(), "ref_logp": inp["ref"].reshape(-1).tolist(),
                          "rewards": inp["rewards"].tolist(), "advantages": inp["advantages"].tolist(),
                          "truncated": inp["truncated"], "score_gap": [None if g != g else g for g in inp["score_gap"]],
                          "fn_rewards": [[None if v != v else v for v in row] for row in inp["fn_rewards"]],
                          "fn_names": inp["fn_names"], "weights": inp["weights"]},
               "cases": cases, "advantage_cases": adv_cases}
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "losses_cases.json")
    with open(path, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    counts = {}
    for c in cases:
        counts[c["head"]] = counts.get(c["head"], 0) + 1
    print("wrote", path, counts, len(adv_cases), "advantage cases,", os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
