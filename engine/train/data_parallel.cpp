// The data-parallel reductions of the online steps (data_parallel.h).
#include "train/data_parallel.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace rf {

static bool parallel(const Comm* comm) { return comm && comm->size() > 1; }

Shard shard_of(int P, const Comm* comm) {
    if (!parallel(comm)) return {0, P};
    const int n = comm->size(), r = comm->rank();
    const int base = P / n, extra = P % n;
    const int begin = r * base + std::min(r, extra);
    return {begin, begin + base + (r < extra ? 1 : 0)};
}

// generate.h: one next_u64 per sequence, prompt-major, before any token is sampled.
static void skip_seeds(Rng& rng, int sequences) {
    for (int i = 0; i < sequences; ++i) rng.next_u64();
}

Rollouts sample_shard(Policy& p, const StepInputs& in, const std::vector<const RlPrompt*>& global, const Shard& shard,
                      int group_size) {
    skip_seeds(in.rng, shard.begin * group_size);
    Rollouts r = sample(p, in, slice(global, shard.begin, shard.end), group_size, true, shard.begin * group_size);
    skip_seeds(in.rng, (int(global.size()) - shard.end) * group_size);
    return r;
}

std::vector<double> all_gather_rows(Comm* comm, const std::vector<double>& mine, int K) {
    if (!parallel(comm)) return mine;
    RF_CHECK(K > 0 && mine.size() % size_t(K) == 0, "all_gather_rows: not K rows");
    std::vector<std::vector<double>> parts;
    size_t N = 0;
    for (const std::string& bytes : comm->all_gather(pack_doubles(mine))) {
        parts.push_back(unpack_doubles(bytes));
        RF_CHECK(parts.back().size() % size_t(K) == 0, "all_gather_rows: a rank sent a different K");
        N += parts.back().size() / size_t(K);
    }
    std::vector<double> out;
    out.reserve(N * size_t(K));
    for (int k = 0; k < K; ++k)
        for (const auto& part : parts) {
            const size_t n = part.size() / size_t(K);
            out.insert(out.end(), part.begin() + long(k * n), part.begin() + long((k + 1) * n));
        }
    return out;
}

std::map<std::string, double> reduce_metrics(Comm* comm, const std::map<std::string, MetricPart>& parts) {
    std::map<std::string, double> out;
    if (!parallel(comm)) {
        for (const auto& [name, p] : parts) out[name] = p.value;
        return out;
    }
    // one sum (values, value·weight, weight), one min, one max, in the map's (sorted) name order
    std::vector<double> sums, mins, maxs;
    for (const auto& [name, p] : parts) {
        if (p.how == Reduce::sum) sums.push_back(p.value);
        else if (p.how == Reduce::mean) sums.push_back(p.value * p.weight), sums.push_back(p.weight);
        else (p.how == Reduce::min ? mins : maxs).push_back(p.value);
    }
    sums.push_back(double(parts.size()));  // every rank passes the same names: checked below
    comm->sum(sums);
    if (!mins.empty()) comm->min(mins);
    if (!maxs.empty()) comm->max(maxs);
    RF_CHECK(sums.back() == double(parts.size()) * comm->size(), "reduce_metrics: the ranks reduce different metrics");
    size_t s = 0, lo = 0, hi = 0;
    for (const auto& [name, p] : parts) {
        if (p.how == Reduce::sum) out[name] = sums[s++];
        else if (p.how == Reduce::mean) {
            const double vw = sums[s], w = sums[s + 1];
            s += 2;
            out[name] = w > 0 ? vw / w : 0.0;
        } else out[name] = p.how == Reduce::min ? mins[lo++] : maxs[hi++];
    }
    return out;
}

void add_generation_metrics(Comm* comm, const Rollouts& r, StepMetrics& m) {
    if (!parallel(comm)) return add_generation_metrics(r, m);
    double sum = 0, n = 0, hit = 0, mn = 1e300, mx = 0;
    for (const auto& g : r.groups)
        for (const auto& c : g) {
            const double L = double(c.ids.size());
            sum += L, n += 1, mn = std::min(mn, L), mx = std::max(mx, L), hit += c.truncated ? 1 : 0;
        }
    auto all = reduce_metrics(comm, {{"tokens", {sum, 1, Reduce::sum}},
                                     {"n", {n, 1, Reduce::sum}},
                                     {"hit", {hit, 1, Reduce::sum}},
                                     {"min", {mn, 1, Reduce::min}},
                                     {"max", {mx, 1, Reduce::max}},
                                     {"seconds", {r.generate_seconds, 1, Reduce::max}}});
    if (all["n"] == 0) return;
    m.push_back({"avg_generated_tokens", all["tokens"] / all["n"]});
    m.push_back({"min_generated_tokens", all["min"]});
    m.push_back({"max_generated_tokens", all["max"]});
    m.push_back({"hit_max_tokens_ratio", all["hit"] / all["n"]});
    m.push_back({"tokens_per_second", all["seconds"] > 0 ? all["tokens"] / all["seconds"] : 0.0});
}

void add_step_times(Comm* comm, StepMetrics& m, double generate, double score, double train) {
    if (parallel(comm)) {
        std::vector<double> t = {generate, score, train};
        comm->max(t);
        generate = t[0], score = t[1], train = t[2];
    }
    add_step_times(m, generate, score, train);
}

void gather_judgments(Comm* comm, const JudgeContext& ctx, const JudgeStats& before) {
    if (!parallel(comm)) return;
    if (ctx.stats) {
        JudgeStats& s = *ctx.stats;
        std::vector<double> d = {double(s.verdicts - before.verdicts), double(s.failures - before.failures),
                                 double(s.skipped - before.skipped), double(s.ties - before.ties)};
        comm->sum(d);
        s = {before.verdicts + int64_t(d[0]), before.failures + int64_t(d[1]), before.skipped + int64_t(d[2]),
             before.ties + int64_t(d[3])};
    }
    nlohmann::json mine = ctx.log && !comm->root() ? ctx.log->take_held() : std::vector<std::string>();
    const std::vector<uint8_t> packed = nlohmann::json::to_msgpack(mine);
    const std::vector<std::string> all = comm->gather(std::string(packed.begin(), packed.end()), 0);
    for (size_t r = 1; r < all.size() && ctx.log; ++r)
        ctx.log->append_lines(nlohmann::json::from_msgpack(all[r]).get<std::vector<std::string>>());
}

// ---- rollout records ----------------------------------------------------------------------------
// MessagePack of JSON (nlohmann): NaN rewards ("not applicable") survive, unlike in JSON text. Every
// field of RolloutRecord (session.h) goes through; tests/cli/train_mpi.sh compares every key of
// rollouts.jsonl between 1 and 2 ranks, so a field added there and forgotten here fails it.

static nlohmann::json record_to_json(const RolloutRecord& r) {
    nlohmann::json rw = nlohmann::json::array();
    for (const Metric& x : r.rewards) rw.push_back({x.name, x.value});
    return {{"step", r.step},     {"prompt", r.prompt},   {"completion", r.completion}, {"answer", r.answer},
            {"rewards", rw},      {"reward", r.reward},   {"advantage", r.advantage},   {"truncated", r.truncated},
            {"n", r.num_tokens},  {"group", r.group},     {"tokens", r.tokens},         {"logps", r.token_logps},
            {"verdict", r.verdict}};
}

static RolloutRecord record_from_json(const nlohmann::json& j) {
    RolloutRecord r;
    r.step = j.at("step").get<int>();
    r.prompt = j.at("prompt").get<std::string>();
    r.completion = j.at("completion").get<std::string>();
    r.answer = j.at("answer").get<std::string>();
    for (const auto& x : j.at("rewards")) r.rewards.push_back({x.at(0).get<std::string>(), x.at(1).get<double>()});
    r.reward = j.at("reward").get<double>();
    r.advantage = j.at("advantage").get<double>();
    r.truncated = j.at("truncated").get<bool>();
    r.num_tokens = j.at("n").get<int>();
    r.group = j.at("group").get<int>();
    r.tokens = j.at("tokens").get<std::vector<std::string>>();
    r.token_logps = j.at("logps").get<std::vector<float>>();
    r.verdict = j.at("verdict").get<std::string>();
    return r;
}

std::vector<RolloutRecord> gather_rollouts(Comm* comm, const std::vector<std::vector<RolloutRecord>>& mine,
                                           const std::vector<int>& first_group) {
    RF_CHECK(mine.size() == first_group.size(), "gather_rollouts: one first group per micro-batch");
    std::vector<RolloutRecord> out;
    if (!parallel(comm)) {
        for (const auto& micro : mine) out.insert(out.end(), micro.begin(), micro.end());
        return out;
    }
    nlohmann::json j = nlohmann::json::array();
    for (size_t k = 0; k < mine.size(); ++k) {
        nlohmann::json micro = nlohmann::json::array();
        for (RolloutRecord r : mine[k]) {
            r.group += first_group[k];
            micro.push_back(record_to_json(r));
        }
        j.push_back(std::move(micro));
    }
    std::vector<uint8_t> packed = nlohmann::json::to_msgpack(j);
    std::vector<std::string> all = comm->gather(std::string(packed.begin(), packed.end()), 0);
    if (all.empty()) return out;
    std::vector<nlohmann::json> ranks;
    for (const std::string& bytes : all) ranks.push_back(nlohmann::json::from_msgpack(bytes));
    for (size_t k = 0; k < mine.size(); ++k)
        for (const auto& rank : ranks)
            for (const auto& r : rank.at(k)) out.push_back(record_from_json(r));
    return out;
}

}  // namespace rf
