// The mapping table behind export_peer_config (peer_config.h): one row per Reinforge key with the
// field it becomes in TRL, verl and OpenRLHF and a converter per tool. Internal to engine/export:
// peer_mapping.cpp holds the shared helpers, peer_rows_*.cpp the rows, peer_config.cpp writes the files.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "export/peer_config.h"

namespace rf::peer_mapping {

// --------------------------------------------------------------------------------------------------
// The sink a converter writes to: fields, and gaps for the row's key.

struct Sink {
    const RunConfig& cfg;
    PeerTarget target;
    std::string key;  // the row being converted
    std::vector<PeerField> fields;
    std::vector<PeerGap> gaps;

    void set(std::string name, std::string value, std::string comment = {}) {
        for (auto& f : fields)
            if (f.name == name) { f.value = std::move(value); if (!comment.empty()) f.comment = std::move(comment); return; }
        fields.push_back({std::move(name), std::move(value), std::move(comment)});
    }
    void flag(std::string name, std::string comment = {}) { set(std::move(name), "", std::move(comment)); }
    void gap(std::string reason) { gaps.push_back({key, get_value(cfg, key), std::move(reason)}); }
    void gap_of(const std::string& other_key, std::string reason) {
        gaps.push_back({other_key, get_value(cfg, other_key), std::move(reason)});
    }
};

using Conv = void (*)(const RunConfig&, Sink&);

// One row per Reinforge key: the target fields as the docs show them, and the converters.
struct MappingRow {
    const char* key;
    const char* trl;       // docs text ("—" when nothing)
    const char* verl;
    const char* openrlhf;
    const char* note;
    Conv to_trl = nullptr;
    Conv to_verl = nullptr;
    Conv to_openrlhf = nullptr;
};

// The table, in run_config_keys() order (every key has a row; test_peer_config checks): the rows of
// peer_rows_training.cpp then those of peer_rows_rl.cpp.
const std::vector<MappingRow>& mapping();
std::vector<MappingRow> training_rows();
std::vector<MappingRow> rl_rows();
Conv converter(const MappingRow& r, PeerTarget t);

// What the converters share (peer_mapping.cpp).
bool is_grpo(const RunConfig& c);
bool is_ppo(const RunConfig& c);
bool is_reinforce(const RunConfig& c);  // rlhf_reinforce and rloo: REINFORCE with a baseline
bool lora(const RunConfig& c);
bool uses_reward_functions(const RunConfig& c);
std::string val(const RunConfig& c, std::string_view key);
std::string num(double v);   // a real as the run config writes it ("5.0e-05", "0.2")
std::string num(int64_t v);
double lora_alpha(const RunConfig& c);
std::string alpha_text(const RunConfig& c);
std::vector<std::string> target_modules(const RunConfig& c);
int64_t prompts_per_update(const RunConfig& c);
int completions_per_prompt(const RunConfig& c);
double weight_decay(const RunConfig& c);
bool bias_correction(const RunConfig& c);
std::vector<double> betas(const RunConfig& c);
std::string yq(const std::string& s);  // a YAML scalar
std::string yq_list(const std::vector<std::string>& v);
std::string y_reals(const std::vector<double>& v);
std::string sh(const std::string& s);  // a shell word, quoted when needed
std::string hydra_list(const std::vector<std::string>& v);
std::string hydra_str(const std::string& s);
std::string py_bool(bool b);
std::string verl_estimator(const RunConfig& c);
std::string openrlhf_estimator(const RunConfig& c);
bool schedule_spans_run(const RunConfig& c);

}  // namespace rf::peer_mapping
