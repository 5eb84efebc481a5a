#include "rl/metrics.h"

namespace rf {

double metric(const StepMetrics& m, const std::string& name, double fallback) {
    for (const auto& x : m)
        if (x.name == name) return x.value;
    return fallback;
}

namespace {

using G = MetricGroup;

// SPEC §10 names. The doc lines are the short form of docs/metrics.md.
constexpr MetricSpec kMetrics[] = {
    // every mode
    {"loss", G::loss, "loss", "the loss the gradient was taken of", false},
    {"learning_rate", G::none, "lr", "the schedule's learning rate used by this step", false},
    {"grad_norm", G::loss, "grad norm", "global gradient norm before clipping", true},
    {"trained_tokens", G::none, "tokens", "tokens trained on so far", false},
    {"iterations_per_second", G::none, "it/s", "optimizer steps per second of wall time", false},
    {"step_time", G::throughput, "step s", "wall seconds of the step", true},
    {"peak_memory", G::none, "peak GB", "peak resident memory of the process (GB)", false},
    {"ntokens", G::none, "ntokens", "scored tokens in the step (SFT)", false},
    // generation (online modes)
    {"avg_generated_tokens", G::generation, "avg", "mean completion length (tokens)", false},
    {"min_generated_tokens", G::generation, "min", "shortest completion (tokens)", false},
    {"max_generated_tokens", G::generation, "max", "longest completion (tokens)", false},
    {"hit_max_tokens_ratio", G::generation, "hit max", "share of completions cut at max_completion_length", true},
    {"tokens_per_second", G::throughput, "tok/s", "sampled tokens per second of generation", false},
    {"time_generate", G::throughput, "generate s", "seconds spent sampling", true},
    {"time_score", G::throughput, "score s", "seconds spent scoring (reward functions, judge)", true},
    {"time_train", G::throughput, "train s", "seconds spent in log-probs, backward and the update", true},
    {"entropy", G::loss, "entropy", "mean per-token entropy of the policy on the completions", true},
    // REINFORCE / RLOO
    {"rewards", G::rewards, "reward", "mean scalar reward of the completions", false},
    {"rewards_std", G::signal, "reward std", "standard deviation of the rewards", false},
    {"advantages", G::signal, "advantage", "mean advantage (reward minus baseline)", false},
    {"judge_failures", G::none, "judge failures", "running total of verdicts that failed", false},
    // PPO
    {"chosen_rewards", G::rewards, "chosen", "mean reward of the preferred completions", false},
    {"rejected_rewards", G::rewards, "rejected", "mean reward of the other completions", false},
    {"margins", G::rewards, "margins", "chosen minus rejected reward", false},
    {"accuracies", G::rewards, "accuracies", "share of pairs where the policy prefers the chosen one", true},
    {"decided_pairs", G::none, "pairs", "pairs with a decided verdict in the step", false},
    {"clip_fraction", G::clipping, "clip fraction", "share of tokens whose ratio was clipped", false},
    {"kl_penalty", G::kl, "kl penalty", "beta times the KL estimate", false},
    {"policy_logps", G::kl, "policy logp", "mean log-prob of the completions under the policy", true},
    {"ref_logps", G::kl, "ref logp", "mean log-prob of the completions under the reference", true},
    {"policy_loss", G::loss, "policy loss", "the clipped surrogate without the KL term", false},
    {"ratios_mean", G::clipping, "ratio", "mean importance ratio", true},
    // GRPO
    {"total_rewards_mean", G::rewards, "mean", "mean weighted sum of the reward functions", false},
    {"total_rewards_std", G::signal, "reward std", "its standard deviation over the batch", false},
    {"grouped_rewards_mean", G::none, "group mean", "mean of the per-group reward means", false},
    {"grouped_rewards_std", G::signal, "std within groups", "mean of the per-group reward standard deviations", false},
    {"frac_reward_zero_std", G::signal, "zero-std groups", "share of groups whose rewards are all equal", false},
    {"advantages_mean", G::none, "advantage", "mean advantage", false},
    {"kl", G::kl, "kl", "mean per-token k3 KL to the reference", false},
    {"clip_ratio_low", G::clipping, "low", "share of tokens clipped at 1 - epsilon", false},
    {"clip_ratio_high", G::clipping, "high", "share of tokens clipped at 1 + epsilon_high", false},
    {"clip_ratio_total", G::clipping, "total", "share of tokens clipped on either side", false},
};

const MetricSpec* find(std::string_view name) {
    for (const MetricSpec& m : kMetrics)
        if (name == m.name) return &m;
    return nullptr;
}

// `<x>_mean` names that are not reward functions.
constexpr const char* kNotRewardFunctions[] = {"total_rewards", "grouped_rewards", "advantages", "ratios"};

}  // namespace

std::span<const MetricSpec> metric_table() {
    return kMetrics;
}

std::vector<MetricGroup> metric_groups_in_order() {
    return {G::accuracy, G::rewards, G::reward_functions, G::signal, G::kl, G::clipping, G::loss, G::generation, G::throughput};
}

const char* metric_group_id(MetricGroup g) {
    switch (g) {
        case G::accuracy: return "accuracy";
        case G::rewards: return "rewards";
        case G::signal: return "signal";
        case G::kl: return "kl";
        case G::clipping: return "clipping";
        case G::loss: return "loss";
        case G::generation: return "generation";
        case G::reward_functions: return "reward_functions";
        case G::throughput: return "throughput";
        case G::none: break;
    }
    return "";
}

const char* metric_group_title(MetricGroup g) {
    switch (g) {
        case G::accuracy: return "Accuracy reward (mean)";
        case G::rewards: return "Reward";
        case G::signal: return "Group signal";
        case G::kl: return "KL";
        case G::clipping: return "Clipping";
        case G::loss: return "Loss";
        case G::generation: return "Generation lengths";
        case G::reward_functions: return "Other reward functions (mean)";
        case G::throughput: return "Throughput";
        case G::none: break;
    }
    return "";
}

MetricPlacement place_metric(std::string_view key) {
    MetricPlacement p;
    std::string_view base = key;
    if (base.substr(0, 4) == "val_") {
        p.validation = true;
        base.remove_prefix(4);
    }
    p.base = std::string(base);
    p.label = p.base;
    if (const MetricSpec* m = find(base)) {
        p.spec = m;
        p.group = m->group;
        p.right_axis = m->right_axis;
        p.label = m->label;
    } else if (base.size() > 5 && base.substr(base.size() - 5) == "_mean") {
        std::string_view fn = base.substr(0, base.size() - 5);
        bool reward_fn = true;
        for (const char* not_fn : kNotRewardFunctions)
            if (fn == not_fn) reward_fn = false;
        if (reward_fn) {
            p.group = G::reward_functions;
            p.reward_function = true;
            if (fn.substr(0, 3) == "r1_") fn.remove_prefix(3);
            const std::string_view tail = "_reward_func";
            if (fn.size() > tail.size() && fn.substr(fn.size() - tail.size()) == tail) fn.remove_suffix(tail.size());
            p.label = std::string(fn);
            // the accuracy function has a chart of its own, first, training and held-out; the other
            // functions' held-out means are not drawn (one legend entry per function stays readable)
            if (fn.find("accuracy") != std::string_view::npos) p.group = G::accuracy;
            else if (p.validation) p.group = G::none;
        }
    }
    if (p.validation) p.label = "val " + p.label;
    return p;
}

}  // namespace rf
