// The config golden set (tests/fixtures/config/): every good file loads without error and with the
// values it states; every bad file gives its expected error (message substring and line, from
// bad/expected.tsv); every warn file loads with its expected warning and no error.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/run_config.h"
#include "core/atomic_file.h"
#include "core/error.h"

using namespace rf;

namespace {

const std::string kDir = std::string(REINFORGE_FIXTURES) + "/config/";

struct Row {
    std::vector<std::string> cols;
};

std::vector<Row> read_tsv(const std::string& path) {
    std::vector<Row> rows;
    std::istringstream in(read_file(path));
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        Row r;
        size_t start = 0;
        while (true) {
            size_t tab = line.find('\t', start);
            r.cols.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
            if (tab == std::string::npos) break;
            start = tab + 1;
        }
        rows.push_back(r);
    }
    return rows;
}

ParsedConfig parse_fixture(const std::string& rel, const std::vector<std::string>& sets = {}) {
    return parse_run_config(read_file(kDir + rel), rel, sets);
}

std::string dump(const ParsedConfig& p) {
    std::string s;
    for (const auto& i : p.issues) s += "  " + i.to_string() + " [line " + std::to_string(i.line) + "]\n";
    return s;
}

}  // namespace

TEST(RunConfigGolden, BadFilesGiveTheirError) {
    auto rows = read_tsv(kDir + "bad/expected.tsv");
    ASSERT_GE(rows.size(), 30u);
    for (const auto& r : rows) {
        ASSERT_EQ(r.cols.size(), 4u);
        const std::string& file = r.cols[0];
        int line = std::stoi(r.cols[1]);
        std::vector<std::string> sets;
        if (r.cols[2] != "-") sets.push_back(r.cols[2]);
        const std::string& expected = r.cols[3];
        SCOPED_TRACE(file);
        ParsedConfig p = parse_fixture("bad/" + file, sets);
        ASSERT_TRUE(has_errors(p.issues)) << dump(p);
        const Issue* hit = nullptr;
        for (const auto& i : p.issues)
            if (i.severity == Severity::error && i.to_string().find(expected) != std::string::npos) hit = &i;
        ASSERT_NE(hit, nullptr) << "expected: " << expected << "\ngot:\n" << dump(p);
        if (line > 0) {
            EXPECT_EQ(hit->line, line);
        }
        // load_run_config throws an InputError with the same place.
        try {
            load_config_with_overrides(kDir + "bad/" + file, sets);
            ADD_FAILURE() << "no exception";
        } catch (const InputError& e) {
            EXPECT_EQ(e.file, kDir + "bad/" + file);
            EXPECT_NE(std::string(e.what()).find(e.file), std::string::npos);
        }
    }
}

TEST(RunConfigGolden, WarnFilesGiveTheirWarningAndNoError) {
    auto rows = read_tsv(kDir + "warn/expected.tsv");
    ASSERT_GE(rows.size(), 5u);
    for (const auto& r : rows) {
        ASSERT_EQ(r.cols.size(), 3u);
        SCOPED_TRACE(r.cols[0]);
        ParsedConfig p = parse_fixture("warn/" + r.cols[0]);
        EXPECT_FALSE(has_errors(p.issues)) << dump(p);
        const Issue* hit = nullptr;
        for (const auto& i : p.issues)
            if (i.severity == Severity::warning && i.message.find(r.cols[2]) != std::string::npos) hit = &i;
        ASSERT_NE(hit, nullptr) << "expected: " << r.cols[2] << "\ngot:\n" << dump(p);
        EXPECT_EQ(hit->line, std::stoi(r.cols[1]));
        std::vector<std::string> warnings;
        EXPECT_NO_THROW(load_run_config(kDir + "warn/" + r.cols[0], &warnings));
        EXPECT_FALSE(warnings.empty());
    }
}

TEST(RunConfigGolden, MlxLmLoraFileLoadsAsWritten) {
    ParsedConfig p = parse_fixture("good/mlx_lm_lora_grpo.yaml");
    EXPECT_FALSE(has_errors(p.issues)) << dump(p);
    const RunConfig& c = p.config;
    EXPECT_EQ(c.train_mode, TrainMode::grpo);
    EXPECT_EQ(c.model, "mlx-community/Qwen3-0.6B-4bit");
    EXPECT_EQ(c.data, std::vector<std::string>{"mlx-community/Dolci-Think-RL-7B-2k"});
    EXPECT_EQ(c.reward_functions, (std::vector<std::string>{"r1_accuracy_reward_func", "r1_count_xml"}));
    EXPECT_EQ(c.reward_weights, (std::vector<double>{2.0, 0.5}));
    EXPECT_EQ(c.epsilon_high, 0.28);
    EXPECT_EQ(c.epsilon, 0.2);
    EXPECT_EQ(c.lora_parameters.scale, 20.0);
    EXPECT_EQ(c.adapter_path, "runs/demo/adapters");
    EXPECT_EQ(c.origin.lines.at("epsilon_high"), 13);
    // `train: true` is mlx-lm-lora's; Reinforge says it ignores it rather than staying silent.
    bool warned = false;
    for (const auto& i : p.issues) warned |= i.severity == Severity::warning && i.key == "train";
    EXPECT_TRUE(warned) << dump(p);
}

TEST(RunConfigGolden, StudioDocsVariants) {
    ParsedConfig p = parse_fixture("good/studio_docs_dataset_list.yaml");
    EXPECT_FALSE(has_errors(p.issues)) << dump(p);
    const RunConfig& c = p.config;
    EXPECT_EQ(c.data, (std::vector<std::string>{"data/part1", "data/part2.jsonl"}));
    EXPECT_EQ(c.quantization, Quantization::q4);
    EXPECT_EQ(c.quantization_group_size, 128);
    EXPECT_EQ(c.reward_weights, (std::vector<double>{2.0, 0.5}));
    EXPECT_EQ(c.lr_schedule.name, ScheduleKind::cosine_decay);
    EXPECT_EQ(c.lr_schedule.warmup, 40);
    EXPECT_EQ(c.lr_schedule.warmup_init, 1e-7);
    EXPECT_EQ(c.lr_schedule.init, 1e-5);
    EXPECT_EQ(c.lr_schedule.steps, 0);
    EXPECT_EQ(c.lr_schedule.iters_fraction, 0.8);
    EXPECT_EQ(c.lr_schedule.end, 2e-6);
    EXPECT_EQ(schedule_steps(c, 50), 40);
}

TEST(RunConfigGolden, MlxNullsMeanDefaults) {
    ParsedConfig p = parse_fixture("good/sft_mlx_nulls.yaml");
    EXPECT_FALSE(has_errors(p.issues)) << dump(p);
    const RunConfig& c = p.config;
    EXPECT_EQ(c.iters, 0);
    EXPECT_EQ(c.epochs, 3);
    EXPECT_EQ(c.resume_adapter_file, "");
    EXPECT_EQ(c.lr_schedule.name, ScheduleKind::linear_schedule);
    EXPECT_EQ(c.lr_schedule.init, 2e-5);
    EXPECT_EQ(c.lr_schedule.end, 0.0);
    EXPECT_EQ(c.lr_schedule.steps, 500);
    EXPECT_EQ(c.optimizer, OptimizerKind::sgd);
    EXPECT_EQ(c.optimizer_config["sgd"]["momentum"].get<double>(), 0.9);
    EXPECT_TRUE(c.mask_prompt);
    EXPECT_FALSE(is_explicit(c, "iters"));
}

TEST(RunConfigGolden, EveryGoodFileLoadsWithoutError) {
    for (const char* f : {"grpo_minimal.yaml", "mlx_lm_lora_grpo.yaml", "studio_docs_dataset_list.yaml",
                          "reinforce_human.yaml", "rloo_rewards.yaml", "ppo_http.yaml", "sft_mlx_nulls.yaml"}) {
        SCOPED_TRACE(f);
        ParsedConfig p = parse_fixture(std::string("good/") + f);
        EXPECT_FALSE(has_errors(p.issues)) << dump(p);
        // And its export reproduces it.
        ParsedConfig again = parse_run_config(to_yaml(p.config), "export.yaml");
        EXPECT_EQ(differing_keys(p.config, again.config), std::vector<std::string>{});
    }
    ParsedConfig r = parse_fixture("good/reinforce_human.yaml");
    EXPECT_EQ(r.config.train_mode, TrainMode::rlhf_reinforce);
    EXPECT_EQ(r.config.group_size, 2);
    EXPECT_EQ(r.config.max_completion_length, 128);
    ParsedConfig h = parse_fixture("good/ppo_http.yaml");
    EXPECT_EQ(h.config.judge_config.timeout_seconds, 30.0);
    EXPECT_EQ(h.config.num_iterations, 2);
}

TEST(RunConfigGolden, HostileInputNeverCrashes) {
    // Truncations and byte flips of every fixture: parse must return issues, never throw or crash.
    std::vector<std::string> files = {"good/mlx_lm_lora_grpo.yaml", "good/studio_docs_dataset_list.yaml",
                                      "good/ppo_http.yaml", "good/sft_mlx_nulls.yaml"};
    uint32_t x = 12345;
    for (const auto& f : files) {
        std::string text = read_file(kDir + f);
        for (size_t cut = 0; cut < text.size(); cut += 7)
            EXPECT_NO_THROW(parse_run_config(text.substr(0, cut), f));
        for (int i = 0; i < 300; ++i) {
            std::string t = text;
            for (int j = 0; j < 3; ++j) {
                x = x * 1664525u + 1013904223u;
                t[x % t.size()] = static_cast<char>("{}[]:,-'\"#&*!|>%@`\n\t 0a?"[(x >> 16) % 25]);
            }
            EXPECT_NO_THROW(parse_run_config(t, f));
        }
    }
}
