#include "charts/chart_groups.h"

#include <QHash>
#include <QObject>

namespace rf::ui {

namespace {

struct KnownMetric {
    const char* key;
    ChartGroup group;
    bool right_axis;
};

// SPEC §10 metric names. Keys not listed (trained_tokens, peak_memory, learning_rate, …) are shown
// in the status line or only written to metrics.jsonl.
constexpr KnownMetric kKnown[] = {
    // Rewards: REINFORCE/RLOO, GRPO, PPO
    {"rewards", ChartGroup::rewards, false},
    {"rewards_std", ChartGroup::rewards, false},
    {"advantages", ChartGroup::rewards, false},
    {"total_rewards_mean", ChartGroup::rewards, false},
    {"total_rewards_std", ChartGroup::rewards, false},
    {"grouped_rewards_mean", ChartGroup::rewards, false},
    {"grouped_rewards_std", ChartGroup::rewards, false},
    {"chosen_rewards", ChartGroup::rewards, false},
    {"rejected_rewards", ChartGroup::rewards, false},
    {"margins", ChartGroup::rewards, false},
    {"advantages_mean", ChartGroup::rewards, false},
    {"accuracies", ChartGroup::rewards, true},
    {"frac_reward_zero_std", ChartGroup::rewards, true},
    // KL
    {"kl", ChartGroup::kl, false},
    {"kl_penalty", ChartGroup::kl, false},
    {"policy_logps", ChartGroup::kl, true},
    {"ref_logps", ChartGroup::kl, true},
    // Clipping
    {"clip_ratio_low", ChartGroup::clipping, false},
    {"clip_ratio_high", ChartGroup::clipping, false},
    {"clip_ratio_total", ChartGroup::clipping, false},
    {"clip_fraction", ChartGroup::clipping, false},
    {"ratios_mean", ChartGroup::clipping, true},
    // Loss
    {"loss", ChartGroup::loss, false},
    {"policy_loss", ChartGroup::loss, false},
    {"grad_norm", ChartGroup::loss, true},
    {"entropy", ChartGroup::loss, true},
    // Generation lengths
    {"avg_generated_tokens", ChartGroup::generation, false},
    {"min_generated_tokens", ChartGroup::generation, false},
    {"max_generated_tokens", ChartGroup::generation, false},
    {"hit_max_tokens_ratio", ChartGroup::generation, true},
    // Throughput
    {"tokens_per_second", ChartGroup::throughput, false},
    {"step_time", ChartGroup::throughput, true},
    {"time_generate", ChartGroup::throughput, true},
    {"time_score", ChartGroup::throughput, true},
    {"time_train", ChartGroup::throughput, true},
};

// `<x>_mean` names that are not reward functions.
constexpr const char* kNotRewardFunctions[] = {"total_rewards", "grouped_rewards", "advantages", "ratios"};

const QHash<QString, const KnownMetric*>& knownTable() {
    static const QHash<QString, const KnownMetric*> table = [] {
        QHash<QString, const KnownMetric*> t;
        for (const KnownMetric& m : kKnown) t.insert(QString::fromLatin1(m.key), &m);
        return t;
    }();
    return table;
}

}  // namespace

QList<ChartGroup> chartGroupsInOrder() {
    return {ChartGroup::rewards,    ChartGroup::kl,
            ChartGroup::clipping,   ChartGroup::loss,
            ChartGroup::generation, ChartGroup::reward_functions,
            ChartGroup::throughput};
}

QString chartGroupId(ChartGroup g) {
    switch (g) {
        case ChartGroup::rewards: return "rewards";
        case ChartGroup::kl: return "kl";
        case ChartGroup::clipping: return "clipping";
        case ChartGroup::loss: return "loss";
        case ChartGroup::generation: return "generation";
        case ChartGroup::reward_functions: return "reward_functions";
        case ChartGroup::throughput: return "throughput";
        case ChartGroup::none: break;
    }
    return {};
}

QString chartGroupTitle(ChartGroup g) {
    switch (g) {
        case ChartGroup::rewards: return QObject::tr("Rewards");
        case ChartGroup::kl: return QObject::tr("KL");
        case ChartGroup::clipping: return QObject::tr("Clipping");
        case ChartGroup::loss: return QObject::tr("Loss");
        case ChartGroup::generation: return QObject::tr("Generation lengths");
        case ChartGroup::reward_functions: return QObject::tr("Per reward function (mean)");
        case ChartGroup::throughput: return QObject::tr("Throughput");
        case ChartGroup::none: break;
    }
    return {};
}

QString legendLabel(const QString& key) {
    static const QHash<QString, QString> short_names = {
        {"total_rewards_mean", "mean"},        {"total_rewards_std", "std"},
        {"grouped_rewards_mean", "group mean"}, {"grouped_rewards_std", "group std"},
        {"frac_reward_zero_std", "zero-std groups"}, {"rewards", "reward"},
        {"rewards_std", "std"},                {"advantages", "advantage"},
        {"advantages_mean", "advantage"},      {"chosen_rewards", "chosen"},
        {"rejected_rewards", "rejected"},      {"kl_penalty", "kl penalty"},
        {"policy_logps", "policy logp"},       {"ref_logps", "ref logp"},
        {"clip_ratio_low", "low"},             {"clip_ratio_high", "high"},
        {"clip_ratio_total", "total"},         {"clip_fraction", "clip fraction"},
        {"ratios_mean", "ratio"},              {"policy_loss", "policy loss"},
        {"grad_norm", "grad norm"},            {"avg_generated_tokens", "avg"},
        {"min_generated_tokens", "min"},       {"max_generated_tokens", "max"},
        {"hit_max_tokens_ratio", "hit max"},   {"tokens_per_second", "tok/s"},
        {"step_time", "step s"},               {"time_generate", "generate s"},
        {"time_score", "score s"},             {"time_train", "train s"},
    };
    const ChartPlacement p = placeMetric(key);
    QString name = short_names.value(p.base_key, p.base_key);
    if (p.group == ChartGroup::reward_functions) {
        name = p.base_key.chopped(5);  // _mean
        if (name.startsWith(QLatin1String("r1_"))) name = name.mid(3);
        if (name.endsWith(QLatin1String("_reward_func"))) name.chop(12);
    }
    if (p.validation) name = "val " + name;
    if (p.right_axis) name += QObject::tr(" (right)");
    return name;
}

ChartPlacement placeMetric(const QString& key) {
    ChartPlacement p;
    p.base_key = key;
    if (key.startsWith(QLatin1String("val_"))) {
        p.validation = true;
        p.base_key = key.mid(4);
    }
    if (const KnownMetric* m = knownTable().value(p.base_key, nullptr)) {
        p.group = m->group;
        p.right_axis = m->right_axis;
        return p;
    }
    if (p.base_key.endsWith(QLatin1String("_mean")) && p.base_key.size() > 5) {
        const QString fn = p.base_key.chopped(5);
        for (const char* not_fn : kNotRewardFunctions)
            if (fn == QLatin1String(not_fn)) return p;
        p.group = ChartGroup::reward_functions;
    }
    return p;
}

}  // namespace rf::ui
