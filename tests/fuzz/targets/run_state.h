// The run state read on resume (train/session.cpp load_state): the JSON pieces with parsers of their
// own (DataPosition::parse for "data", RunningMeanBaseline::from_json for "running_baseline") and the
// optimizer state file (Optimizer::restore). Input: byte 0 picks the optimizer (mod 6: adam, adamw,
// sgd, adafactor, lion, muon); the rest up to the first NUL is state.json, the bytes after it the
// optimizer file, restored into a 4x4 matrix + 4-vector trainable buffer (20 floats).
// Every malformed piece is an InputError; the rest of load_state's fields are plain nlohmann
// accessors inside a catch of json::exception (see docs/reliability.md).
#pragma once
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "data/epoch_sampler.h"
#include "optim/optimizer.h"
#include "rl/advantages.h"
#include "fuzz_util.h"

namespace rf_fuzz {

inline void run_state(const uint8_t* data, size_t size) {
    if (size < 1) return;
    std::string rest = text_of(data + 1, size - 1);
    size_t nul = rest.find('\0');
    std::string state = rest.substr(0, nul);
    std::string bin = nul == std::string::npos ? std::string() : rest.substr(nul + 1);
    nlohmann::json j = nlohmann::json::parse(state, nullptr, false);
    if (!j.is_discarded() && j.is_object()) {
        try {
            if (j.contains("data") && j["data"].is_string()) (void)rf::DataPosition::parse(j["data"].get<std::string>(), "state.json: data");
        } catch (const rf::InputError&) {
        }
        try {
            if (j.contains("running_baseline")) (void)rf::RunningMeanBaseline::from_json(j["running_baseline"]);
        } catch (const rf::InputError&) {
        }
    }
    static const char* kinds[] = {"adam", "adamw", "sgd", "adafactor", "lion", "muon"};
    const rf::TensorLayout layout = {rf::TensorView::matrix("w", 0, 4, 4), rf::TensorView::vector("b", 16, 4)};
    try {
        auto opt = rf::make_optimizer(kinds[data[0] % 6], nlohmann::json::object(), layout);
        opt->restore(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bin.data()), bin.size()), 20);
        std::vector<float> p(20, 0.5f), g(20, 0.25f);
        opt->step(p, g, 1e-3f);
        std::vector<uint8_t> again = opt->serialise();
        if (again.empty()) std::abort();
    } catch (const rf::InputError&) {
    }
}

}  // namespace rf_fuzz
