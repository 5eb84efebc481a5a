// One full GRPO step through rf::Session::train_step() (SPEC §17: "a full GRPO step on the Qwen3-0.6B
// shape (random weights) and on the embedded default"):
//   sample G = 4 completions of 1 prompt (max 128 tokens, KV cache, prompt prefilled once)
//   → score (the five r1_* reward functions) → reference log-probs (the base without adapters)
//   → policy log-probs with backward state → GRPO loss → backward → clip → AdamW,
//   LoRA rank 8 (scale 20) on the seven projections of every block, beta 0.1, temperature 0.8,
//   top_p 0.95, top_k 20 (the GRPO defaults).
// Reported per step: wall and process CPU time (getrusage; the machine is shared, CPU time discounts
// time-slicing), the step's own split time_generate / time_score / time_train (the rest is batch
// building and bookkeeping), completion lengths, and peak memory (VmHWM) against an estimate.
//
// Qwen3 shape: random weights (Model::random_init) written to a temporary model folder with a real
// Qwen3 tokenizer.json when one is cached (tests/reference/.cache/tokenizers/qwen3 or
// <build>/test-cache/tokenizers/qwen3, fetched by tests/reference/fetch_tokenizers.sh); otherwise
// the embedded default's SentencePiece tokenizer with vocab_size 151936 (said in the output).
// There is no "ignore EOS" setting: stop strings are switched off and, with random weights, EOS is
// one of ~150k nearly uniform choices, so completions run to 128 tokens (hit_max_tokens_ratio is
// printed to show it). The embedded default stops where it has learnt to (lengths printed).
//
// Validation before timing counts: each step's loss and grad_norm must be finite, the three timed
// parts must not exceed the step time, and the embedded default's step must produce a non-zero
// gradient (random weights score 0 everywhere, so their advantages and gradient are 0 by
// construction; the compute is the same).
//
// usage: bench_grpo_step [--shape default|qwen3|all] [--steps N] [--compute auto|float32|bfloat16]
//                        [--quantization 4|8|mxfp4] [--root DIR]
//                        [--tokenizer DIR] [--keep]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <unistd.h>
#include <fstream>
#include <string>
#include <nlohmann/json.hpp>
#include <vector>

#include "bench_clock.h"
#include "config/run_config.h"
#include "core/atomic_file.h"
#include "core/fp_mode.h"
#include "io/safetensors.h"
#include "model/model.h"
#include "ops/gemm_bf16.h"
#include "text/chat_template.h"
#include "text/tokenizer.h"
#include "train/session.h"

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

using rf::bench::cpu_seconds;
using rf::bench::load_average;

const char* kQwen3 = R"({"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_size": 1024,
  "intermediate_size": 3072, "num_hidden_layers": 28, "num_attention_heads": 16, "num_key_value_heads": 8,
  "head_dim": 128, "vocab_size": 151936, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
  "tie_word_embeddings": true, "max_position_embeddings": 40960, "bos_token_id": 151643,
  "eos_token_id": 151645, "torch_dtype": "float32"})";

// A real Qwen3 tokenizer folder when one is cached under the repository, else "".
std::string find_qwen3_tokenizer(const fs::path& root) {
    std::vector<fs::path> cands = {root / "tests/reference/.cache/tokenizers/qwen3"};
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root, ec))
        if (e.is_directory() && e.path().filename().string().rfind("build", 0) == 0)
            cands.push_back(e.path() / "test-cache/tokenizers/qwen3");
    for (const auto& c : cands)
        if (fs::exists(c / "tokenizer.json") && fs::exists(c / "tokenizer_config.json")) return c.string();
    return {};
}

// Writes a Qwen3-0.6B-shaped model folder with random weights; returns a note on the tokenizer.
std::string make_qwen3_folder(const fs::path& dir, const fs::path& root, std::string tok_dir) {
    fs::create_directories(dir);
    std::string note;
    std::string cfg_text = kQwen3;
    if (tok_dir.empty()) tok_dir = find_qwen3_tokenizer(root);
    if (!tok_dir.empty()) {
        fs::copy_file(fs::path(tok_dir) / "tokenizer.json", dir / "tokenizer.json", fs::copy_options::overwrite_existing);
        fs::copy_file(fs::path(tok_dir) / "tokenizer_config.json", dir / "tokenizer_config.json",
                      fs::copy_options::overwrite_existing);
        note = "real Qwen3 tokenizer.json from " + tok_dir;
    } else {
        fs::path def = root / "resources/models/reinforge-arith-tiny";
        fs::copy_file(def / "tokenizer.model", dir / "tokenizer.model", fs::copy_options::overwrite_existing);
        fs::copy_file(def / "tokenizer_config.json", dir / "tokenizer_config.json", fs::copy_options::overwrite_existing);
        // the embedded default's special ids; the model keeps vocab_size 151936
        rf::ModelConfig d = rf::ModelConfig::from_dir(def.string());
        std::string eos = d.eos_token_ids.empty() ? "2" : std::to_string(d.eos_token_ids[0]);
        auto put = [&](const std::string& key, const std::string& v) {
            size_t at = cfg_text.find("\"" + key + "\"");
            size_t colon = cfg_text.find(':', at), end = cfg_text.find_first_of(",}", colon);
            cfg_text.replace(colon + 1, end - colon - 1, " " + v);
        };
        put("eos_token_id", eos);
        put("bos_token_id", "1");
        note = "NO Qwen3 tokenizer cached: the embedded default's SentencePiece tokenizer (400 pieces) with "
               "vocab_size 151936";
    }
    rf::write_file_atomic((dir / "config.json").string(), cfg_text);
    rf::ModelConfig cfg = rf::ModelConfig::from_json_text(cfg_text, "qwen3-0.6b-shape");
    auto model = rf::Model::random_init(cfg, 1);
    std::vector<rf::TensorToWrite> ts;
    const float* base = model->base_params().data();
    for (const rf::ParamView& v : model->base_layout()) ts.push_back({v.name, v.shape, base + v.offset, rf::DType::F32});
    rf::write_safetensors((dir / "model.safetensors").string(), ts, {{"format", "pt"}});
    return note;
}

double base_bytes(const rf::ModelConfig& c) {
    const double C = c.hidden_size, I = c.intermediate_size, L = c.num_hidden_layers, V = c.vocab_size;
    const double QD = double(c.num_attention_heads) * c.head_dim, KD = double(c.num_key_value_heads) * c.head_dim;
    return 4.0 * (V * C + (c.tie_word_embeddings ? 0 : V * C) + C +
                  L * (2 * C + QD * C + 2 * KD * C + C * QD + 3 * I * C + (c.qk_norm ? 2.0 * c.head_dim : 0)));
}

// Bytes the step should need at its peak: base weights, adapter params + grads + 2 AdamW moments,
// the training forward's saved activations (every block kept: see Model::LayerActs), the residual
// stream, the KV cache of generation, the lm-head scratch (128 rows x V) and E_p[W] per position.
// `T` = prompt + completion tokens per row, N rows.
// bf16_twins: compute_dtype bfloat16 keeps a bfloat16 twin of every base weight (half its float bytes).
double estimate_bytes(const rf::ModelConfig& c, int N, int T, int prompt, int G, int max_new, bool bf16_twins) {
    const double C = c.hidden_size, I = c.intermediate_size, L = c.num_hidden_layers, V = c.vocab_size;
    const double NH = c.num_attention_heads, KVH = c.num_key_value_heads, HS = c.head_dim, R = 8;
    const double QD = NH * HS, KD = KVH * HS;
    double base = base_bytes(c) / 4.0;
    double adapter_per_layer = R * ((C + QD) + 2 * (C + KD) + (QD + C) + 2 * (C + I) + (I + C));
    double adapters = 4 * L * adapter_per_layer;  // params, grads, m, v
    double BT = double(N) * T;
    double per_token_layer = C + 1 + (c.qk_norm ? QD + NH + KD + KVH : 0) + QD + 2 * KD + QD + C + C + 1 + 3 * I + 7 * R;
    double acts = BT * (L * per_token_layer + L * NH + (L + 1) * C + 2 * C + 3);
    double kv = L * 2 * KVH * HS * (double(prompt) + double(G) * max_new);
    double lm = 128 * V;
    double twins = bf16_twins ? base / 2 : 0.0;
    return 4.0 * (base + twins + adapters + acts + kv + lm);
}

// Tokens of a chat-templated training prompt (system prompt + the first training row).
int prompt_tokens(const std::string& model_dir, const fs::path& root) {
    auto tok = rf::load_tokenizer(model_dir);
    auto tpl = rf::ChatTemplate::from_dir(model_dir);
    std::ifstream f(root / "resources/datasets/arithmetic/train.jsonl");
    std::string line;
    std::getline(f, line);
    std::string user = nlohmann::json::parse(line).at("prompt").get<std::string>();
    std::string sys(rf::kGrpoDefaultSystemPrompt);
    return int(tok->encode(tpl.render({{"system", sys}, {"user", user}}, true, true)).size());
}

struct Shape {
    std::string name, model_dir, note;
};

std::string g_compute = "auto";  // --compute: the run's compute_dtype
std::string g_quant;              // --quantization: the run's quantization (4, 8, mxfp4; empty: none)

bool bench_shape(const Shape& sh, const fs::path& root, const fs::path& work, int steps) {
    rf::RunConfig cfg = rf::default_run_config(rf::TrainMode::grpo);
    const std::vector<std::pair<std::string, std::string>> kv = {
        {"model", sh.model_dir},
        {"data", (root / "resources/datasets/arithmetic").string()},
        {"train_type", "lora"},
        {"num_layers", "-1"},
        {"lora_parameters.rank", "8"},
        {"lora_parameters.scale", "20.0"},
        {"group_size", "4"},
        {"batch_size", "1"},
        {"max_completion_length", "128"},
        {"stop_strings", ""},
        {"iters", std::to_string(steps)},
        {"learning_rate", "1e-5"},
        {"steps_per_eval", "0"},
        {"save_every", "0"},
        {"seed", "1"},
        {"compute_dtype", g_compute},
        {"output_dir", (work / ("run-" + sh.name)).string()},
    };
    for (const auto& [k, v] : kv) rf::set_value(cfg, k, v);
    if (!g_quant.empty()) rf::set_value(cfg, "quantization", g_quant);

    std::printf("\n== %s (%s), compute_dtype %s%s\n", sh.name.c_str(), sh.note.c_str(), g_compute.c_str(),
                g_quant.empty() ? "" : (", quantization " + g_quant).c_str());
    auto t0 = Clock::now();
    double c0 = cpu_seconds();
    rf::Session s(cfg, nullptr, nullptr);
    std::printf("session opened in %.1f s wall, %.1f s CPU; load average %s\n",
                std::chrono::duration<double>(Clock::now() - t0).count(), cpu_seconds() - c0, load_average().c_str());
    rf::ModelConfig mc = rf::ModelConfig::from_dir(sh.model_dir);

    std::printf("| step | wall s | CPU s | time_generate | time_score | time_train | rest | tokens (avg/min/max) | "
                "hit_max | gen tok/s | grad_norm | peak GB |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    bool ok = true;
    std::vector<double> walls, cpus, gens, scores, trains;
    double peak = 0;
    for (int i = 0; i < steps; ++i) {
        double ca = cpu_seconds();
        auto ta = Clock::now();
        rf::StepMetrics m = s.train_step();
        double wall = std::chrono::duration<double>(Clock::now() - ta).count(), cpu = cpu_seconds() - ca;
        double tg = rf::metric(m, "time_generate"), tsc = rf::metric(m, "time_score"), ttr = rf::metric(m, "time_train");
        double st = rf::metric(m, "step_time"), gn = rf::metric(m, "grad_norm", NAN);
        peak = rf::metric(m, "peak_memory");
        std::printf("| %d | %.2f | %.2f | %.2f | %.3f | %.2f | %.2f | %.1f / %.0f / %.0f | %.2f | %.1f | %.3g | %.2f |\n",
                    i + 1, wall, cpu, tg, tsc, ttr, st - tg - tsc - ttr, rf::metric(m, "avg_generated_tokens"),
                    rf::metric(m, "min_generated_tokens"), rf::metric(m, "max_generated_tokens"),
                    rf::metric(m, "hit_max_tokens_ratio"), rf::metric(m, "tokens_per_second"), gn, peak);
        if (!std::isfinite(rf::metric(m, "loss", NAN)) || !std::isfinite(gn) || tg + tsc + ttr > st * 1.001 + 1e-3) {
            std::printf("validation FAILED at step %d: loss/grad_norm not finite or parts exceed the step\n", i + 1);
            ok = false;
        }
        if (sh.name == "embedded-default" && i == 0 && !(gn > 0)) {
            std::printf("validation FAILED: the embedded default's step has no gradient\n");
            ok = false;
        }
        walls.push_back(wall), cpus.push_back(cpu), gens.push_back(tg), scores.push_back(tsc), trains.push_back(ttr);
    }
    auto median_after_first = [](std::vector<double> v) {
        if (v.size() > 1) v.erase(v.begin());
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    std::printf("median of steps 2..%d (step 1 includes first-touch page faults): wall %.2f s, CPU %.2f s; "
                "generate %.2f s, score %.3f s, train %.2f s\n",
                steps, median_after_first(walls), median_after_first(cpus), median_after_first(gens),
                median_after_first(scores), median_after_first(trains));
    // estimate at the configured worst case: G rows of (prompt + 128) tokens
    const int P = prompt_tokens(sh.model_dir, root);
    const double gib = 1024.0 * 1024.0 * 1024.0;
    const bool twins = g_compute == "bfloat16" || (g_compute == "auto" && mc.hidden_size >= 512 && rf::bf16_gemm_available());
    const double est = estimate_bytes(mc, 4, P + 128, P, 4, 128, twins);
    if (!g_quant.empty()) {  // estimate_bytes models float weights (and their bf16 twins) only
        std::printf("peak memory (VmHWM) %.2f GiB (packed base: no estimate here)\n", peak);
    } else {
        std::printf("peak memory (VmHWM) %.2f GiB; estimate for 4 rows x (%d prompt + 128) tokens %.2f GiB "
                    "(of which base weights %.2f GiB%s); peak / estimate %.2f\n",
                    peak, P, est / gib, base_bytes(mc) / gib, twins ? " + their bf16 twins" : "", peak * gib / est);
    }
    std::printf("validation: %s\n", ok ? "OK" : "FAILED");
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    rf::init_math_threads(argv);  // as the CLI and the GUI: FTZ/DAZ, the OpenBLAS kernel, OpenMP waiting
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows when redirected to a file
    std::printf("math: %s\n", rf::math_kernels().c_str());
    std::string shape = "all", tok_dir;
    int steps = 3;
    bool keep = false;
    fs::path root = fs::path(__FILE__).parent_path().parent_path();
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--shape" && i + 1 < argc) shape = argv[++i];
        else if (a == "--steps" && i + 1 < argc) steps = std::max(1, std::atoi(argv[++i]));
        else if (a == "--compute" && i + 1 < argc) g_compute = argv[++i];
        else if (a == "--quantization" && i + 1 < argc) g_quant = argv[++i];
        else if (a == "--root" && i + 1 < argc) root = argv[++i];
        else if (a == "--tokenizer" && i + 1 < argc) tok_dir = argv[++i];
        else if (a == "--keep") keep = true;
        else {
            std::fprintf(stderr,
                         "usage: bench_grpo_step [--shape default|qwen3|all] [--steps N] [--compute auto|float32|bfloat16] "
                         "[--quantization 4|8|mxfp4] [--root DIR] [--tokenizer DIR] [--keep]\n");
            return 2;
        }
    }
    if (shape != "default" && shape != "qwen3" && shape != "all") {
        std::fprintf(stderr, "--shape: expected default, qwen3 or all\n");
        return 2;
    }
    fs::path work = fs::temp_directory_path() / ("reinforge-bench-grpo-" + std::to_string(::getpid()));
    fs::create_directories(work);
    std::printf("bench_grpo_step: GRPO G=4, batch 1 prompt, max 128 tokens, LoRA rank 8 (all blocks); load average %s\n",
                load_average().c_str());
    bool ok = true;
    try {
        // the embedded default first: VmHWM only grows, so its peak is read before the big model loads
        if (shape != "qwen3") {
            Shape d{"embedded-default", (root / "resources/models/reinforge-arith-tiny").string(),
                    "resources/models/reinforge-arith-tiny, its own tokenizer; completions end where the model stops"};
            ok = bench_shape(d, root, work, steps) && ok;
        }
        if (shape != "default") {
            auto t0 = Clock::now();
            Shape q{"qwen3-0.6b-shape", (work / "qwen3-0.6b-shape").string(), ""};
            q.note = make_qwen3_folder(q.model_dir, root, tok_dir);
            std::printf("\nwrote the Qwen3-0.6B-shape folder (random weights, float32) in %.1f s\n",
                        std::chrono::duration<double>(Clock::now() - t0).count());
            ok = bench_shape(q, root, work, steps) && ok;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_grpo_step: %s\n", e.what());
        ok = false;
    }
    if (!keep) fs::remove_all(work);
    else std::printf("kept %s\n", work.string().c_str());
    return ok ? 0 : 1;
}
