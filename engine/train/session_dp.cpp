// The data-parallel side of a Session (session_impl.h; docs/scale-out.md): what a run with several
// ranks refuses, the config, weights and state every rank takes from rank 0, and the agreed stop.
// The steps' own reductions are in data_parallel.cpp.
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "train/session_impl.h"

namespace rf {

RunConfig config_of_root(Comm& comm, const RunConfig& mine) {
    if (comm.size() == 1) return mine;
    std::string text = comm.root() ? to_yaml(mine) : std::string(), origin = mine.origin.file;
    comm.broadcast(text, 0);
    comm.broadcast(origin, 0);  // relative paths are taken from the config file's folder
    ParsedConfig parsed = parse_run_config(text, origin);
    for (const Issue& i : parsed.issues)
        RF_CHECK(i.severity != Severity::error, "rank 0's resolved config does not load on rank " +
                                                    std::to_string(comm.rank()) + ": " + i.to_string(origin));
    return parsed.config;
}

void Session::Impl::check_data_parallel() const {
    const int n = ranks();
    if (n == 1) return;
    const std::string& file = cfg.origin.file;
    const std::string ranks = std::to_string(n) + " ranks";
    const char* run_alone = "run it without mpirun (one process), or see docs/scale-out.md for what runs data-parallel";
    const TrainMode mode = cfg.train_mode;
    if (mode == TrainMode::ppo && cfg.ppo_advantage == PpoAdvantage::logprob_gap)
        throw InputError(file, 0, "ppo_advantage",
                         "ppo_advantage logprob_gap normalises over the batch's pairs and does not run data-parallel yet (" +
                             ranks + ")",
                         "use ppo_advantage: preference, or " + std::string(run_alone));
    if (judge_kind(cfg.judge) == JudgeKind::human)
        throw InputError(file, 0, "judge", "a human judge cannot serve a data-parallel run (" + ranks + ")", run_alone);
    for (const std::string& f : cfg.reward_functions)
        if (f == kHumanRewardName)
            throw InputError(file, 0, "reward_functions",
                             "'human' among the reward functions cannot serve a data-parallel run (" + ranks + ")",
                             run_alone);
    if (cfg.batch_size < n)
        throw InputError(file, 0, "batch_size",
                         "batch_size " + std::to_string(cfg.batch_size) + " is smaller than the " + ranks +
                             ": each rank takes whole groups (prompts) of every micro-batch",
                         "raise batch_size to at least " + std::to_string(n) + ", or start fewer processes");
}

// state: what save_state writes besides the files, as JSON text; weights and optimizer as bytes.
void Session::Impl::sync_from_root(bool resumed) {
    if (ranks() == 1) return;
    std::span<float> w = policy->params();
    std::string weights(w.size() * sizeof(float), '\0'), moments, state;
    if (root()) {
        std::memcpy(weights.data(), w.data(), weights.size());
        if (resumed) {  // a new optimizer is the same on every rank (its moments start on the first step)
            std::vector<uint8_t> opt = optimizer->serialise();
            moments.assign(opt.begin(), opt.end());
        }
        state = loop_state().dump();
    }
    comm->broadcast(weights, 0);
    comm->broadcast(moments, 0);
    comm->broadcast(state, 0);
    if (root()) return;
    RF_CHECK(weights.size() == w.size() * sizeof(float), "sync_from_root: rank 0 trains a different buffer");
    std::memcpy(w.data(), weights.data(), weights.size());
    policy->refresh_adapters();
    if (resumed)
        optimizer->restore(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(moments.data()), moments.size()),
                           w.size());
    restore_loop_state(nlohmann::json::parse(state), "rank 0's state");
}

bool Session::Impl::stop_agreed() { return ranks() > 1 ? comm->any(stopping()) : stopping(); }

}  // namespace rf
