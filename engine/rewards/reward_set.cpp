#include "rewards/reward_set.h"

#include <algorithm>
#include <cmath>

#include "core/edit_distance.h"
#include "core/error.h"
#include "rewards/reward_registry.h"

namespace rf {
namespace {

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

}  // namespace

std::string closest_name(const std::string& name, const std::vector<std::string>& candidates) {
    std::string best;
    size_t best_d = std::max<size_t>(3, name.size() / 3) + 1;
    for (const std::string& c : candidates) {
        size_t d = edit_distance(name, c);
        // also accept a candidate that contains the name ("accuracy" -> "r1_accuracy_reward_func")
        if (name.size() >= 3 && c.find(name) != std::string::npos) d = std::min(d, size_t(1));
        // and the short form of the r1_* names ("acuracy" -> "accuracy" -> r1_accuracy_reward_func)
        std::string short_c = c;
        if (short_c.rfind("r1_", 0) == 0) short_c = short_c.substr(3);
        if (short_c.size() > 12 && short_c.compare(short_c.size() - 12, 12, "_reward_func") == 0)
            short_c.resize(short_c.size() - 12);
        if (short_c != c) d = std::min(d, edit_distance(name, short_c) + 1);
        if (d < best_d) best_d = d, best = c;
    }
    return best;
}

RewardStats reward_stats(const std::vector<float>& scores) {
    RewardStats s;
    double sum = 0.0;
    size_t n = 0;
    for (float v : scores)
        if (!std::isnan(v)) sum += v, ++n;
    if (scores.empty()) return s;
    s.coverage = double(n) / double(scores.size());
    if (n == 0) return s;
    s.mean = sum / double(n);
    double ss = 0.0;
    for (float v : scores)
        if (!std::isnan(v)) ss += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(ss / double(n));
    return s;
}

RewardSet::RewardSet(const RewardSetOptions& options) {
    m_names = options.names.empty() ? default_reward_function_names() : options.names;
    if (options.weights.empty()) {
        m_weights.assign(m_names.size(), 1.0);
    } else {
        if (options.weights.size() != m_names.size())
            throw InputError({}, 0, "reward_weights",
                             "has " + std::to_string(options.weights.size()) + " values but there are " +
                                 std::to_string(m_names.size()) + " reward functions (" + join(m_names) + ")",
                             "give one weight per reward function, in the same order, or leave it empty for 1.0 each");
        for (double w : options.weights)
            if (!std::isfinite(w))
                throw InputError({}, 0, "reward_weights", "weights must be finite numbers", "e.g. [2.0, 0.5]");
        m_weights = options.weights;
    }
    if (!options.functions_file.empty())
        m_worker = std::make_shared<PythonRewardWorker>(options.functions_file, options.python);

    for (const std::string& name : m_names) {
        if (name == kHumanRewardName) {  // answered by set_human_scorer's scorer
            m_native.push_back(nullptr);
            m_python.push_back(false);
            continue;
        }
        const bool from_file = m_worker && std::find(m_worker->registered().begin(), m_worker->registered().end(),
                                                    name) != m_worker->registered().end();
        std::unique_ptr<RewardFunction> fn = from_file ? nullptr : make_builtin_reward(name);
        if (fn) {
            m_native.push_back(std::move(fn));
            m_python.push_back(false);
            continue;
        }
        if (from_file || (m_worker && std::find(m_worker->available().begin(), m_worker->available().end(), name) !=
                                         m_worker->available().end())) {
            m_native.push_back(nullptr);
            m_python.push_back(true);
            continue;
        }
        std::vector<std::string> known = default_reward_function_names();
        known.push_back(kHumanRewardName);
        if (m_worker)
            for (const std::string& n : m_worker->registered())
                if (std::find(known.begin(), known.end(), n) == known.end()) known.push_back(n);
        std::string near = closest_name(name, known);
        throw InputError(options.functions_file, 0, "reward_functions", "unknown reward function '" + name + "'",
                         (near.empty() ? std::string() : "did you mean '" + near + "'? ") + "available: " + join(known) +
                             (m_worker ? std::string() : "; custom functions need reward_functions_file"));
    }
}

RewardSet::RewardSet(RewardSet&&) noexcept = default;
RewardSet& RewardSet::operator=(RewardSet&&) noexcept = default;
RewardSet::~RewardSet() = default;

bool RewardSet::has_human() const {
    return std::find(m_names.begin(), m_names.end(), kHumanRewardName) != m_names.end();
}

RewardBatch RewardSet::score(const Strings& prompts, const Strings& completions, const Strings& answers,
                             const Strings& types) {
    const size_t n = completions.size();
    RF_CHECK(prompts.size() == n && answers.size() == n && (types.empty() || types.size() == n),
             "reward batch vectors differ in length");
    RewardBatch b;
    b.names = m_names;
    b.per_function.resize(m_names.size());
    std::vector<std::string> py_names;
    for (size_t k = 0; k < m_names.size(); ++k) {
        if (m_python[k]) {
            py_names.push_back(m_names[k]);
            continue;
        }
        if (!m_native[k]) {  // human
            b.per_function[k] = m_human ? m_human(prompts, completions, answers, types)
                                        : std::vector<float>(n, std::nanf(""));
            RF_CHECK(b.per_function[k].size() == n, "the human scorer returned a wrong length");
            continue;
        }
        b.per_function[k] = m_native[k]->score(prompts, completions, answers, types);
        RF_CHECK(b.per_function[k].size() == n, "built-in reward function returned a wrong length");
    }
    if (!py_names.empty()) {
        std::vector<std::vector<float>> py = m_worker->score(py_names, prompts, completions, answers, types);
        for (size_t k = 0, j = 0; k < m_names.size(); ++k)
            if (m_python[k]) b.per_function[k] = std::move(py[j++]);
    }
    b.total.assign(n, 0.0f);
    for (size_t i = 0; i < n; ++i) {
        double sum = 0.0;
        bool any = m_names.empty();
        for (size_t k = 0; k < m_names.size(); ++k) {
            float v = b.per_function[k][i];
            if (!m_native[k] && !m_python[k]) any = true;  // a person not asked or away: no signal, not an error
            if (std::isnan(v)) continue;
            any = true;
            sum += m_weights[k] * double(v);
        }
        if (!any)
            throw InputError(m_worker ? m_worker->file() : std::string(), 0, "reward_functions",
                             "every reward function returned None for completion " + std::to_string(i),
                             "at least one function must score each completion (None means 'not applicable')");
        b.total[i] = float(sum);
    }
    return b;
}

}  // namespace rf
