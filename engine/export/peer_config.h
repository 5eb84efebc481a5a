// Hand-off to GPU clusters: the launch configuration of a Reinforge run for TRL, verl or OpenRLHF
// (`reinforge-cli export-config RUN.yaml --to trl|verl|openrlhf`, docs/scale-out.md).
//
// One table (peer_mapping.h, mapping(); rows in peer_rows_*.cpp) holds a row per Reinforge key: the field it becomes in
// each tool (as text for the docs) and a converter per tool that writes that field from the resolved
// RunConfig, or records why the value cannot be expressed there. Field names were checked against
// the tools' sources (docs/scale-out.md lists the files and commits); the exporter never runs them.
//
//   TRL       a YAML file for `trl grpo --config FILE` (GRPOConfig + the script's ScriptArguments and
//             ModelConfig fields; RLOOConfig for rloo / rlhf_reinforce)
//   verl      `python3 -m verl.trainer.main_ppo` with Hydra overrides
//   OpenRLHF  `python3 -m openrlhf.cli.train_ppo_ray` with its argparse flags
#pragma once
#include <string>
#include <vector>

#include "config/run_config.h"
#include "core/enum_names.h"

namespace rf {

enum class PeerTarget { trl, verl, openrlhf };
inline constexpr EnumName<PeerTarget> kPeerTargetNames[] = {
    {PeerTarget::trl, "trl"}, {PeerTarget::verl, "verl"}, {PeerTarget::openrlhf, "openrlhf"}};
constexpr std::span<const EnumName<PeerTarget>> enum_names(PeerTarget) { return kPeerTargetNames; }

// One field of the target: a YAML key (TRL), a Hydra override path (verl) or a flag (OpenRLHF, with
// the leading "--"). `value` is already written in the target's syntax (YAML scalar, Hydra value, or
// the flag's shell-quoted arguments; empty for a store_true flag).
struct PeerField {
    std::string name;
    std::string value;
    std::string comment;  // why this value (e.g. "lora_parameters.scale 20.0 x rank 8"), may be empty
};

// A Reinforge setting the target cannot express (or can only approximate, or that needs the user's
// own code there): the key, its value in this run and why.
struct PeerGap {
    std::string key;
    std::string value;
    std::string reason;
};

struct PeerExport {
    PeerTarget target = PeerTarget::trl;
    std::vector<PeerField> fields;  // in table order
    std::vector<PeerGap> gaps;      // in table order
    std::string launch;             // the command that starts the run (TRL: with FILE for the YAML path)
    std::string text;               // the file: TRL YAML, or a shell script (verl, OpenRLHF)
};

// The launch configuration of `cfg` (resolved, as load_run_config returns it) for `target`.
// `source` names the Reinforge file in the header comment. Throws InputError for train_mode sft
// (the hand-off covers the online RL modes).
PeerExport export_peer_config(const RunConfig& cfg, PeerTarget target, const std::string& source = {});

// "key: value — reason" lines, one per gap, under a title naming the tool (for stderr).
std::string format_gaps(const PeerExport& e);

// The mapping table of docs/scale-out.md (Reinforge key | TRL | verl | OpenRLHF | note), one row per
// key of run_config_keys(), generated from that table.
std::string peer_mapping_markdown();
// The Reinforge keys that have a row in the table (tests check that every run key has one).
std::vector<std::string> peer_mapped_keys();

}  // namespace rf
