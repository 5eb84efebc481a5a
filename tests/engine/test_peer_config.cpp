// export-config (engine/export/peer_config.cpp): the TRL / verl / OpenRLHF launch configurations of
// the GRPO preset, an RLOO config and a human-judge PPO config carry the right fields and values, the
// TRL file is YAML with the expected keys, what cannot be expressed is listed, and the mapping table
// covers every run key and is the one in docs/scale-out.md.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "config/run_config.h"
#include "core/error.h"
#include "export/peer_config.h"

namespace {

const std::string kPresets = std::string(REINFORGE_SOURCE_DIR) + "/resources/presets/";

rf::RunConfig preset(const std::string& name) { return rf::load_run_config(kPresets + name); }

rf::RunConfig parse(const std::string& yaml) {
    auto p = rf::parse_run_config(yaml, "test.yaml");
    for (const auto& i : p.issues) EXPECT_NE(i.severity, rf::Severity::error) << i.to_string();
    return p.config;
}

bool contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

const rf::PeerGap* find_gap(const rf::PeerExport& e, const std::string& key) {
    for (const auto& g : e.gaps)
        if (g.key == key) return &g;
    return nullptr;
}

std::string field(const rf::PeerExport& e, const std::string& name) {
    for (const auto& f : e.fields)
        if (f.name == name) return f.value;
    return "<absent>";
}

// ---------------------------------------------------------------------------------------------------
// GRPO preset: num_generations 8, beta 0.04, learning_rate 5e-5, batch 4, 64 tokens, LoRA r 8 scale 20.

TEST(PeerConfig, GrpoPresetToTrlIsYamlWithTheFields) {
    auto cfg = preset("grpo-default.yaml");
    auto e = rf::export_peer_config(cfg, rf::PeerTarget::trl, "grpo-default.yaml");
    EXPECT_TRUE(contains(e.text, "\nnum_generations: 8\n")) << e.text;
    EXPECT_TRUE(contains(e.text, "\nbeta: 0.04\n")) << e.text;
    EXPECT_TRUE(contains(e.text, "\nlearning_rate: 5.0e-05\n")) << e.text;
    EXPECT_TRUE(contains(e.text, "\nloss_type: \"grpo\"\n")) << e.text;
    EXPECT_TRUE(contains(e.text, "trl grpo --config FILE")) << e.text;

    YAML::Node y = YAML::Load(e.text);  // throws on a syntax error
    ASSERT_TRUE(y.IsMap());
    EXPECT_EQ(y["num_generations"].as<int>(), 8);
    EXPECT_DOUBLE_EQ(y["beta"].as<double>(), 0.04);
    EXPECT_DOUBLE_EQ(y["learning_rate"].as<double>(), 5e-5);
    EXPECT_EQ(y["loss_type"].as<std::string>(), "grpo");
    EXPECT_EQ(y["scale_rewards"].as<std::string>(), "group");
    EXPECT_EQ(y["importance_sampling_level"].as<std::string>(), "token");
    EXPECT_DOUBLE_EQ(y["epsilon"].as<double>(), 0.2);
    EXPECT_DOUBLE_EQ(y["epsilon_high"].as<double>(), 0.2);
    EXPECT_EQ(y["num_iterations"].as<int>(), 1);
    EXPECT_EQ(y["max_completion_length"].as<int>(), 64);
    EXPECT_EQ(y["per_device_train_batch_size"].as<int>(), 32);  // 4 prompts x 8 completions
    EXPECT_EQ(y["gradient_accumulation_steps"].as<int>(), 1);
    EXPECT_EQ(y["max_steps"].as<int>(), 200);
    EXPECT_DOUBLE_EQ(y["temperature"].as<double>(), 1.0);
    EXPECT_DOUBLE_EQ(y["top_p"].as<double>(), 1.0);
    EXPECT_EQ(y["top_k"].as<int>(), 0);
    EXPECT_EQ(y["seed"].as<int>(), 1);
    EXPECT_EQ(y["save_steps"].as<int>(), 50);
    EXPECT_EQ(y["eval_steps"].as<int>(), 50);
    EXPECT_TRUE(y["use_peft"].as<bool>());
    EXPECT_EQ(y["lora_r"].as<int>(), 8);
    EXPECT_EQ(y["lora_alpha"].as<int>(), 160);  // scale 20 x rank 8
    EXPECT_EQ(y["lora_target_modules"].as<std::string>(), "all-linear");
    EXPECT_TRUE(y["model_name_or_path"].IsScalar());
    EXPECT_TRUE(y["dataset_name"].IsScalar());
    ASSERT_TRUE(y["reward_funcs"].IsSequence());
    EXPECT_EQ(y["reward_funcs"].size(), 5u);
    EXPECT_EQ(y["reward_funcs"][0].as<std::string>(), "reinforge_rewards.r1_accuracy_reward_func");
    ASSERT_TRUE(y["reward_weights"].IsSequence());
    EXPECT_EQ(y["reward_weights"].size(), 5u);

    // The r1_* functions need the user's module; the population std and the stop string are gaps.
    ASSERT_NE(find_gap(e, "reward_functions"), nullptr);
    EXPECT_TRUE(contains(find_gap(e, "reward_functions")->reason, "reinforge_rewards.py"));
    EXPECT_NE(find_gap(e, "advantage_std"), nullptr);
    EXPECT_NE(find_gap(e, "stop_strings"), nullptr);
    EXPECT_EQ(find_gap(e, "judge"), nullptr);
}

TEST(PeerConfig, GrpoPresetToVerl) {
    auto e = rf::export_peer_config(preset("grpo-default.yaml"), rf::PeerTarget::verl);
    EXPECT_TRUE(contains(e.text, "python3 -m verl.trainer.main_ppo")) << e.text;
    for (const char* needle :
         {"algorithm.adv_estimator=grpo", "actor_rollout_ref.rollout.n=8", "actor_rollout_ref.actor.optim.lr=5.0e-05",
          "actor_rollout_ref.actor.use_kl_loss=True", "actor_rollout_ref.actor.kl_loss_coef=0.04",
          "actor_rollout_ref.actor.kl_loss_type=low_var_kl", "data.train_batch_size=4", "data.max_response_length=64",
          "actor_rollout_ref.model.lora_rank=8", "actor_rollout_ref.model.lora_alpha=160",
          "actor_rollout_ref.actor.clip_ratio_low=0.2", "actor_rollout_ref.actor.clip_ratio_high=0.2",
          "actor_rollout_ref.actor.loss_agg_mode=seq-mean-token-mean", "algorithm.norm_adv_by_std_in_grpo=True",
          "actor_rollout_ref.rollout.top_k=-1", "trainer.total_training_steps=200", "trainer.save_freq=50"})
        EXPECT_TRUE(contains(e.text, std::string(" \\\n    ") + needle)) << needle << "\n" << e.text;
    EXPECT_NE(find_gap(e, "data"), nullptr);  // verl's parquet schema
    EXPECT_NE(find_gap(e, "reward_functions"), nullptr);
}

TEST(PeerConfig, GrpoPresetToOpenRlhf) {
    auto e = rf::export_peer_config(preset("grpo-default.yaml"), rf::PeerTarget::openrlhf);
    EXPECT_TRUE(contains(e.text, "python3 -m openrlhf.cli.train_ppo_ray")) << e.text;
    for (const char* needle :
         {"--advantage_estimator group_norm", "--n_samples_per_prompt 8", "--init_kl_coef 0.04", "--use_kl_loss",
          "--kl_estimator k3", "--actor_learning_rate 5.0e-05", "--rollout_batch_size 4", "--train_batch_size 32",
          "--generate_max_len 64", "--lora_rank 8", "--lora_alpha 160", "--eps_clip_low_high 0.2 0.2", "--max_epochs 1",
          "--max_samples 800", "--seed 1", "--temperature 1.0", "--apply_chat_template"})
        EXPECT_TRUE(contains(e.text, std::string(" \\\n    ") + needle)) << needle << "\n" << e.text;
    EXPECT_NE(find_gap(e, "grpo_loss_type"), nullptr);
}

// ---------------------------------------------------------------------------------------------------
// RLOO: RLOOConfig; the KL goes into the reward; the leave-one-out estimator everywhere.

const char* kRloo = R"(
model: Qwen/Qwen2.5-0.5B-Instruct
data: openai/gsm8k
dataset_config: main
train_mode: rloo
judge: rewards
reward_functions: [r1_accuracy_reward_func, r1_count_xml]
reward_weights: [2.0, 0.5]
iters: 100
batch_size: 2
group_size: 6
gradient_accumulation_steps: 2
learning_rate: 1.0e-06
beta: 0.05
lora_parameters: {rank: 16, scale: 2.0, dropout: 0.05, keys: [self_attn.q_proj, self_attn.v_proj]}
lr_schedule: {name: cosine_decay, warmup: 10, arguments: [1.0e-06, {iters_fraction: 1.0}, 0.0]}
)";

TEST(PeerConfig, RlooToTrl) {
    auto e = rf::export_peer_config(parse(kRloo), rf::PeerTarget::trl);
    YAML::Node y = YAML::Load(e.text);
    EXPECT_TRUE(contains(e.text, "RLOOConfig")) << e.text;
    EXPECT_TRUE(contains(e.text, "trl rloo --config FILE")) << e.text;
    EXPECT_EQ(y["num_generations"].as<int>(), 6);
    EXPECT_DOUBLE_EQ(y["beta"].as<double>(), 0.05);
    EXPECT_DOUBLE_EQ(y["learning_rate"].as<double>(), 1e-6);
    EXPECT_EQ(y["per_device_train_batch_size"].as<int>(), 12);
    EXPECT_EQ(y["gradient_accumulation_steps"].as<int>(), 2);
    EXPECT_EQ(y["dataset_name"].as<std::string>(), "openai/gsm8k");
    EXPECT_EQ(y["dataset_config"].as<std::string>(), "main");
    EXPECT_EQ(y["lr_scheduler_type"].as<std::string>(), "cosine");
    EXPECT_EQ(y["warmup_steps"].as<int>(), 10);
    EXPECT_EQ(y["lora_r"].as<int>(), 16);
    EXPECT_EQ(y["lora_alpha"].as<int>(), 32);
    EXPECT_DOUBLE_EQ(y["lora_dropout"].as<double>(), 0.05);
    ASSERT_TRUE(y["lora_target_modules"].IsSequence());
    EXPECT_EQ(y["lora_target_modules"][1].as<std::string>(), "v_proj");
    ASSERT_EQ(y["reward_weights"].size(), 2u);
    EXPECT_DOUBLE_EQ(y["reward_weights"][0].as<double>(), 2.0);
    // GRPO-only fields stay out of an RLOOConfig.
    EXPECT_FALSE(y["loss_type"]);
    EXPECT_FALSE(y["scale_rewards"]);
    EXPECT_FALSE(y["importance_sampling_level"]);
    EXPECT_EQ(find_gap(e, "baseline"), nullptr);  // rloo is what RLOOTrainer does
}

TEST(PeerConfig, RlooToVerlAndOpenRlhf) {
    auto cfg = parse(kRloo);
    auto v = rf::export_peer_config(cfg, rf::PeerTarget::verl);
    EXPECT_EQ(field(v, "algorithm.adv_estimator"), "rloo");
    EXPECT_EQ(field(v, "actor_rollout_ref.rollout.n"), "6");
    EXPECT_EQ(field(v, "algorithm.use_kl_in_reward"), "True");
    EXPECT_EQ(field(v, "algorithm.kl_ctrl.kl_coef"), "0.05");
    EXPECT_EQ(field(v, "algorithm.kl_penalty"), "kl");
    EXPECT_EQ(field(v, "data.train_batch_size"), "4");  // 2 prompts x 2 accumulation steps
    EXPECT_EQ(field(v, "actor_rollout_ref.actor.optim.warmup_style"), "cosine");
    EXPECT_EQ(field(v, "actor_rollout_ref.model.target_modules"), "[q_proj,v_proj]");
    EXPECT_EQ(field(v, "actor_rollout_ref.actor.use_kl_loss"), "<absent>");
    EXPECT_TRUE(contains(v.text, "'actor_rollout_ref.model.target_modules=[q_proj,v_proj]'")) << v.text;

    auto o = rf::export_peer_config(cfg, rf::PeerTarget::openrlhf);
    EXPECT_TRUE(contains(o.text, " \\\n    --advantage_estimator rloo")) << o.text;
    EXPECT_TRUE(contains(o.text, " \\\n    --n_samples_per_prompt 6")) << o.text;
    EXPECT_TRUE(contains(o.text, " \\\n    --init_kl_coef 0.05")) << o.text;
    EXPECT_TRUE(contains(o.text, " \\\n    --kl_estimator k1")) << o.text;
    EXPECT_TRUE(contains(o.text, " \\\n    --target_modules q_proj v_proj")) << o.text;
    EXPECT_FALSE(contains(o.text, "--use_kl_loss")) << o.text;
    EXPECT_EQ(field(o, "--rollout_batch_size"), "4");
    EXPECT_EQ(field(o, "--train_batch_size"), "24");
    EXPECT_EQ(field(o, "--lr_warmup_ratio"), "0.1");
    EXPECT_NE(find_gap(o, "dataset_config"), nullptr);
}

// ---------------------------------------------------------------------------------------------------
// PPO with a person as the judge: listed as inexpressible in all three.

TEST(PeerConfig, HumanJudgePpoListsTheHumanJudge) {
    auto cfg = preset("ppo-human.yaml");
    for (auto t : {rf::PeerTarget::trl, rf::PeerTarget::verl, rf::PeerTarget::openrlhf}) {
        auto e = rf::export_peer_config(cfg, t);
        const rf::PeerGap* g = find_gap(e, "judge");
        ASSERT_NE(g, nullptr) << rf::enum_name(t);
        EXPECT_EQ(g->value, "human");
        EXPECT_TRUE(contains(g->reason, "person")) << g->reason;
        ASSERT_NE(find_gap(e, "train_mode"), nullptr) << rf::enum_name(t);
        EXPECT_TRUE(contains(find_gap(e, "train_mode")->reason, "pairwise judge"));
        EXPECT_NE(find_gap(e, "ppo_advantage"), nullptr);
        std::string listed = rf::format_gaps(e);
        EXPECT_TRUE(contains(listed, "  judge: human — ")) << listed;
    }
    auto trl = rf::export_peer_config(cfg, rf::PeerTarget::trl);
    YAML::Node y = YAML::Load(trl.text);
    EXPECT_EQ(y["num_ppo_epochs"].as<int>(), 2);
    EXPECT_DOUBLE_EQ(y["kl_coef"].as<double>(), 0.04);
    EXPECT_DOUBLE_EQ(y["cliprange"].as<double>(), 0.2);
    EXPECT_EQ(y["kl_estimator"].as<std::string>(), "k3");
    EXPECT_FALSE(y["reward_funcs"]);
    EXPECT_EQ(field(rf::export_peer_config(cfg, rf::PeerTarget::verl), "algorithm.adv_estimator"), "gae");
}

TEST(PeerConfig, LlmJudgesAndSftAreRefusedOrListed) {
    auto http = parse("model: m\ndata: d\ntrain_mode: rlhf_reinforce\njudge: http://localhost:8000/v1\njudge_model: j\niters: 5\nbaseline: running_mean\n");
    auto e = rf::export_peer_config(http, rf::PeerTarget::trl);
    ASSERT_NE(find_gap(e, "judge"), nullptr);
    EXPECT_TRUE(contains(find_gap(e, "judge")->reason, "HTTP"));
    EXPECT_NE(find_gap(e, "baseline"), nullptr);
    EXPECT_FALSE(YAML::Load(e.text)["reward_funcs"]);
    auto v = rf::export_peer_config(http, rf::PeerTarget::verl);
    EXPECT_EQ(field(v, "algorithm.adv_estimator"), "reinforce_plus_plus");
    ASSERT_NE(find_gap(v, "baseline"), nullptr);
    EXPECT_EQ(find_gap(v, "baseline")->value, "running_mean");

    auto sft = parse("model: m\ndata: d\ntrain_mode: sft\niters: 5\n");
    EXPECT_THROW(rf::export_peer_config(sft, rf::PeerTarget::trl), rf::InputError);
}

TEST(PeerConfig, GrpoVariantsMapTheLossAndScaling) {
    auto cfg = parse("model: m\ndata: d\ntrain_mode: grpo\niters: 5\ngrpo_loss_type: dr_grpo\nscale_rewards: none\n"
                     "importance_sampling_level: sequence\nepsilon_high: 0.28\ntrain_type: dora\nbeta: 0.0\n");
    auto t = YAML::Load(rf::export_peer_config(cfg, rf::PeerTarget::trl).text);
    EXPECT_EQ(t["loss_type"].as<std::string>(), "dr_grpo");
    EXPECT_EQ(t["scale_rewards"].as<std::string>(), "none");
    EXPECT_EQ(t["importance_sampling_level"].as<std::string>(), "sequence");
    EXPECT_DOUBLE_EQ(t["epsilon_high"].as<double>(), 0.28);
    EXPECT_TRUE(t["use_dora"].as<bool>());
    auto v = rf::export_peer_config(cfg, rf::PeerTarget::verl);
    EXPECT_EQ(field(v, "algorithm.norm_adv_by_std_in_grpo"), "False");
    EXPECT_EQ(field(v, "actor_rollout_ref.actor.loss_agg_mode"), "seq-mean-token-sum-norm");
    EXPECT_EQ(field(v, "actor_rollout_ref.actor.policy_loss.loss_mode"), "gspo");
    EXPECT_EQ(field(v, "actor_rollout_ref.actor.use_kl_loss"), "False");
    EXPECT_EQ(field(v, "actor_rollout_ref.actor.clip_ratio_high"), "0.28");
    EXPECT_NE(find_gap(v, "train_type"), nullptr);  // DoRA
    EXPECT_EQ(find_gap(v, "advantage_std"), nullptr);  // no std with scale_rewards none
    auto o = rf::export_peer_config(cfg, rf::PeerTarget::openrlhf);
    EXPECT_EQ(field(o, "--advantage_estimator"), "dr_grpo");
    EXPECT_EQ(field(o, "--policy_loss_type"), "gspo");
    EXPECT_EQ(field(o, "--eps_clip_low_high"), "0.2 0.28");
    EXPECT_EQ(field(o, "--use_kl_loss"), "<absent>");
}

// ---------------------------------------------------------------------------------------------------
// The table: one row per run key, and docs/scale-out.md carries it.

TEST(PeerConfig, EveryRunKeyHasARow) {
    auto mapped = rf::peer_mapped_keys();
    for (const auto& k : rf::run_config_keys())
        EXPECT_NE(std::find(mapped.begin(), mapped.end(), k.name), mapped.end()) << "no export-config row for " << k.name;
    for (const auto& m : mapped) EXPECT_NE(rf::find_key(m), nullptr) << "row for an unknown key " << m;
}

TEST(PeerConfig, DocsCarryTheGeneratedTable) {
    std::ifstream f(std::string(REINFORGE_SOURCE_DIR) + "/docs/scale-out.md");
    ASSERT_TRUE(f) << "docs/scale-out.md missing";
    std::stringstream ss;
    ss << f.rdbuf();
    EXPECT_TRUE(contains(ss.str(), rf::peer_mapping_markdown()))
        << "docs/scale-out.md's mapping table differs from peer_mapping_markdown(); replace it with:\n"
        << "<<<TABLE\n" << rf::peer_mapping_markdown() << "TABLE>>>";
}

}  // namespace
