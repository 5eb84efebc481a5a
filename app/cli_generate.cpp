// reinforge-cli generate MODEL_DIR_OR_ID --prompt TEXT [options]
// Samples completions with the engine's KV-cached decoder and streams them to the terminal
// (stdout; with --n > 1 each completion is printed in full as it finishes). Timing goes to stderr.
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "cli_command.h"
#include "cli_progress.h"
#include "io/hub_client.h"
#include "core/error.h"
#include "core/rng.h"
#include "io/hf_cache.h"
#include "model/adapter_io.h"
#include "model/generate_model.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "text/chat_template.h"
#include "text/tokenizer.h"

namespace {

const char* kUsage =
    "generate MODEL_DIR_OR_ID --prompt TEXT [--chat] [--system TEXT] [--no-thinking] [--n G]\n"
    "         [--temperature T] [--top-p P] [--top-k K] [--min-p P] [--max-tokens N] [--seed S]\n"
    "         [--stop STRING] [--adapter-path DIR] [--bf16] [--exact] [--show-ids]\n"
    "  --chat          wrap the prompt in the model's chat template (user turn + generation prompt)\n"
    "  --n G           completions of the prompt, decoded together (default 1)\n"
    "  --temperature   default 0.8 (0 = greedy); --top-p 1.0, --top-k 0, --min-p 0.0 (mlx-lm semantics)\n"
    "  --max-tokens    max_completion_length (default 256); --stop may be given several times\n"
    "  --adapter-path  load LoRA/DoRA adapters (adapter_config.json + adapters.safetensors)\n"
    "  --bf16          decode from bfloat16 copies of the weights (about 2x faster, slightly different);\n"
    "                  models from hidden size 512 on compute in bfloat16 anyway where the CPU has it\n"
    "  --exact         a quantized model (MLX folder) decodes its lm-head in float and its products with\n"
    "                  float activations, as training's forward does (default: packed lm-head and int8\n"
    "                  activations, ~1.25x faster; docs/algorithms.md \"Fast sampling\")";

const std::vector<std::string> kValueFlags = {"--prompt", "--system", "--n", "--temperature", "--top-p", "--top-k",
                                              "--min-p", "--max-tokens", "--seed", "--stop", "--adapter-path"};
const std::vector<std::string> kBoolFlags = {"--chat", "--no-thinking", "--bf16", "--exact", "--show-ids"};

template <class T>
T parse_number(const std::string& flag, const std::string& text) {
    try {
        size_t used = 0;
        T v;
        if constexpr (std::is_same_v<T, float>)
            v = std::stof(text, &used);
        else if constexpr (std::is_same_v<T, uint64_t>)
            v = std::stoull(text, &used);
        else
            v = T(std::stol(text, &used));
        if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    throw rf::InputError({}, 0, flag, "expects a number, got '" + text + "'", "e.g. " + flag + " 0.8");
}

std::vector<std::string> all_values(const std::vector<std::string>& args, const std::string& flag) {
    std::vector<std::string> out;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == flag && i + 1 < args.size()) out.push_back(args[++i]);
        else if (args[i].rfind(flag + "=", 0) == 0) out.push_back(args[i].substr(flag.size() + 1));
    }
    return out;
}

int run_generate(const std::vector<std::string>& args) {
    for (const auto& a : args) {
        if (a.rfind("--", 0) != 0) continue;
        const std::string name = a.substr(0, a.find('='));
        bool known = false;
        for (auto& f : kValueFlags) known |= f == name;
        for (auto& f : kBoolFlags) known |= f == name;
        if (!known) throw rf::InputError({}, 0, a, "unknown option", std::string("usage: ") + kUsage);
    }
    auto pos = rf::cli::positionals(args, kValueFlags);
    if (pos.size() != 1)
        throw rf::InputError({}, 0, "", "expects exactly one MODEL_DIR_OR_ID", std::string("usage: ") + kUsage);
    const std::string prompt_text = rf::cli::flag_value(args, "--prompt");
    if (prompt_text.empty()) throw rf::InputError({}, 0, "--prompt", "is required", "--prompt \"What is 2+2?\"");

    rf::SamplingParams sp;
    sp.temperature = parse_number<float>("--temperature", rf::cli::flag_value(args, "--temperature", "0.8"));
    sp.top_p = parse_number<float>("--top-p", rf::cli::flag_value(args, "--top-p", "1.0"));
    sp.top_k = parse_number<int>("--top-k", rf::cli::flag_value(args, "--top-k", "0"));
    sp.min_p = parse_number<float>("--min-p", rf::cli::flag_value(args, "--min-p", "0.0"));
    rf::validate_sampling_params(sp, true, "command line");
    const int n = parse_number<int>("--n", rf::cli::flag_value(args, "--n", "1"));
    const int max_tokens = parse_number<int>("--max-tokens", rf::cli::flag_value(args, "--max-tokens", "256"));
    const uint64_t seed = parse_number<uint64_t>("--seed", rf::cli::flag_value(args, "--seed", "0"));
    if (n < 1 || n > 64) throw rf::InputError({}, 0, "--n", "must be in [1, 64], got " + std::to_string(n), "e.g. --n 4");
    if (max_tokens < 1)
        throw rf::InputError({}, 0, "--max-tokens", "must be >= 1, got " + std::to_string(max_tokens), "e.g. --max-tokens 256");

    rf::cli::DownloadBar bar;
    const std::string dir = rf::ensure_model(pos[0], [&](const rf::HubProgress& p) { return bar.update(p); });
    bar.finish();
    auto t0 = std::chrono::steady_clock::now();
    rf::ModelLoadOptions load;
    load.keep_packed = true;  // an MLX quantized folder decodes from its packed words
    auto model = rf::Model::load(dir, load);
    auto tok = rf::load_tokenizer(dir);
    const std::string adapter_dir = rf::cli::flag_value(args, "--adapter-path");
    if (!adapter_dir.empty()) rf::load_adapters(*model, adapter_dir);

    std::string text = prompt_text;
    if (rf::cli::has_flag(args, "--chat")) {
        auto tpl = rf::ChatTemplate::from_dir(dir);
        if (!tpl.note().empty()) std::fprintf(stderr, "note: %s\n", tpl.note().c_str());
        std::vector<rf::Message> msgs;
        const std::string system = rf::cli::flag_value(args, "--system");
        if (!system.empty()) msgs.push_back({"system", system});
        msgs.push_back({"user", prompt_text});
        std::optional<bool> thinking;
        if (rf::cli::has_flag(args, "--no-thinking")) thinking = false;
        text = tpl.render(msgs, true, thinking);
    }
    std::vector<int> prompt = tok->encode(text, !rf::cli::has_flag(args, "--chat"));
    if (prompt.empty()) throw rf::InputError({}, 0, "--prompt", "encodes to no tokens", "give a non-empty prompt");

    // compute_dtype auto, as a run samples: bf16 twins where the CPU has bf16 units and the model is not tiny
    const bool bf16_compute = model->config().hidden_size >= 512 && !model->is_quantized() && model->set_bf16_compute(true);
    rf::DecodeOptions opt = rf::sampling_decode_options(*model, true, rf::cli::has_flag(args, "--exact"));
    opt.bf16_weights = rf::cli::has_flag(args, "--bf16") && !bf16_compute;  // with bf16 compute: its twins already
    rf::ModelDecoder decoder(*model, opt);
    const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "loaded %s (%s, %d layers%s) in %.1f s; prompt %zu tokens\n", dir.c_str(),
                 model->config().model_type.c_str(), model->config().num_hidden_layers,
                 bf16_compute ? ", bf16 compute" : "", load_s, prompt.size());
    if (opt.lm_head_quant)
        std::fprintf(stderr, "decode: quantized base, lm-head packed in %s, int8 activations (--exact: as training computes)\n",
                     rf::describe(*opt.lm_head_quant).c_str());

    rf::StopCriteria stop = rf::stop_criteria_for(*tok, all_values(args, "--stop"), max_tokens);
    rf::Rng rng(seed);
    rf::GenerateHooks hooks;
    if (n == 1)
        hooks.on_text = [](int, int, const std::string& delta) {
            std::fwrite(delta.data(), 1, delta.size(), stdout);
            std::fflush(stdout);
        };
    auto t1 = std::chrono::steady_clock::now();
    auto groups = rf::generate_groups(decoder, *tok, {prompt}, n, sp, stop, rng, hooks);
    const double gen_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();

    size_t tokens = 0;
    for (size_t g = 0; g < groups[0].size(); ++g) {
        const rf::Completion& c = groups[0][g];
        tokens += c.ids.size();
        if (n > 1) std::printf("=== completion %zu/%d ===\n%s", g + 1, n, c.text.c_str());
        std::printf("\n");
        if (rf::cli::has_flag(args, "--show-ids")) {
            std::printf("ids:");
            for (int id : c.ids) std::printf(" %d", id);
            std::printf("\n");
        }
        std::fprintf(stderr, "[%zu tokens, finish: %s%s]\n", c.ids.size(), rf::finish_reason_name(c.finish),
                     c.truncated ? ", truncated" : "");
    }
    std::fprintf(stderr, "generated %zu tokens in %.2f s (%.1f tokens/s, prefill included)\n", tokens, gen_s,
                 gen_s > 0 ? double(tokens) / gen_s : 0.0);
    return 0;
}

rf::cli::Register reg{"generate", "sample completions from a model, streaming to the terminal", kUsage, &run_generate};

}  // namespace
