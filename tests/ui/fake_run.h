// A RunFunction for the UI tests that behaves like rf::Session::run() without a model: it reports
// on_start, then per step synthetic metrics (SPEC §10 names) and rollouts, honours RunControl's stop
// and pause flags between and inside steps, optionally asks a human judge through the real engine
// path (HumanJudge + judge_pairs/judge_scalar, judgments.jsonl), and can fail on purpose.
#pragma once
#include <atomic>
#include <chrono>
#include <cmath>
#include <string>
#include <thread>

#include "bridge_controller.h"
#include "core/error.h"
#include "judge/human_judge.h"
#include "judge/judge_runner.h"

namespace rf::test {

struct FakeRunOptions {
    int steps = 50;
    int step_ms = 2;
    int judge_every = 0;        // ask the human judge every N steps (0 = never)
    bool pairwise = true;
    int pairs_per_step = 2;
    int fail_at = -1;           // throw InputError at this step
    std::string run_dir = "/tmp/reinforge-fake-run";
    std::string judgments;      // judgments.jsonl path ("" = not written)
    int rollouts_per_step = 4;
    int download_files = 0;     // before on_start: report a download of this many files (1 MiB each)
    int download_ms = 0;        // per file; the stop flag cancels it (HubCancelled, as the Hub client)
};

struct FakeRunState {
    std::atomic<int> steps_done{0};
    std::atomic<int> verdicts{0};
    std::atomic<bool> returned{false};
};

inline bridge::RunFunction fakeRun(FakeRunOptions o, FakeRunState* state = nullptr) {
    return [o, state](const RunConfig&, RunObserver& obs, RunControl& control, HumanAsker* asker) {
        struct Done {
            FakeRunState* s;
            ~Done() { if (s) s->returned = true; }
        } done{state};
        auto sleep_checking = [&](int ms) {
            for (int t = 0; t < ms && !control.stop.load(); t += 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        };
        for (int f = 0; f < o.download_files; ++f) {
            for (int t = 0; t < 10; ++t) {
                HubProgress p;
                p.file = "model-0000" + std::to_string(f + 1) + ".safetensors";
                p.all_total = int64_t(o.download_files) << 20;
                p.all_done = (int64_t(f) << 20) + (int64_t(t) << 20) / 10;
                p.files_done = f;
                p.files_total = o.download_files;
                if (control.stop.load() || !obs.on_download(p)) throw HubCancelled("download of org/model cancelled during " + p.file);
                sleep_checking(o.download_ms / 10);
            }
        }
        obs.on_start(o.run_dir, 0, o.steps);
        obs.on_log("fake run started");
        Rng rng(7);
        JudgmentLog log(o.judgments);
        for (int s = 1; s <= o.steps; ++s) {
            while (control.pause.load() && !control.stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
            if (control.stop.load()) return false;
            if (s == o.fail_at) throw InputError("data/train.jsonl", 3, "prompt", "missing field 'prompt'", "add it");
            if (o.judge_every > 0 && asker && s % o.judge_every == 0) {
                HumanJudge judge(*asker, control.stop);
                JudgeContext ctx;
                ctx.step = s;
                ctx.log = o.judgments.empty() ? nullptr : &log;
                if (o.pairwise) {
                    std::vector<PairItem> items;
                    for (int i = 0; i < o.pairs_per_step; ++i)
                        items.push_back({"prompt " + std::to_string(i), {"completion A" + std::to_string(i), "completion B" + std::to_string(i)}, "", ""});
                    auto v = judge_pairs(judge, items, rng, ctx);  // throws JudgeCancelled on stop
                    if (state) state->verdicts += int(v.size());
                } else {
                    std::vector<JudgeItem> items;
                    for (int i = 0; i < o.pairs_per_step; ++i) items.push_back({"prompt", "completion " + std::to_string(i), "", ""});
                    auto v = judge_scalar(judge, items, ctx);
                    if (state) state->verdicts += int(v.size());
                }
            }
            sleep_checking(o.step_ms);
            const double x = double(s);
            obs.on_metrics(s, {{"loss", 0.001 * std::sin(x)},
                               {"total_rewards_mean", 1.0 - std::exp(-x / 50.0)},
                               {"total_rewards_std", 0.3},
                               {"kl", 0.01 * x / o.steps},
                               {"clip_ratio_total", 0.02},
                               {"avg_generated_tokens", 40 + std::fmod(x, 7.0)},
                               {"hit_max_tokens_ratio", 0.1},
                               {"r1_accuracy_reward_func_mean", 0.5 + 0.4 * x / o.steps},
                               {"r1_count_xml_mean", 0.3},
                               {"tokens_per_second", 1234.0},
                               {"learning_rate", 1e-5}});
            if (s % 10 == 0) obs.on_eval(s, {{"val_total_rewards_mean", 0.9 - std::exp(-x / 50.0)}, {"val_loss", 0.0}});
            std::vector<RolloutRecord> rollouts;
            for (int i = 0; i < o.rollouts_per_step; ++i) {
                RolloutRecord r;
                r.step = s;
                r.prompt = "What is " + std::to_string(s) + " + " + std::to_string(i) + "?";
                r.completion = "<think>add</think><answer>" + std::to_string(s + i) + "</answer>";
                r.rewards = {{"r1_accuracy_reward_func", 2.0}, {"r1_count_xml", 0.5}};
                r.reward = 2.5;
                r.advantage = 0.1 * (i - 1.5);
                r.truncated = i == 3;
                rollouts.push_back(r);
            }
            obs.on_rollouts(s, rollouts);
            if (state) state->steps_done = s;
        }
        return true;
    };
}

}  // namespace rf::test
