// Our side of bench/peers.sh (issue 14 item 6): prefill and batch-1 decode of a model folder, timed
// the way bench/llama_cpp_peers.mjs times llama.cpp and bench/torch_decode.py --model times PyTorch
// on the same weights, from the same request file:
//   REQUEST.json {"validate_texts": ["...", ...], "validate_tokens": 8,
//                 "prefill_ids": [256 ids], "decode_prompt_ids": [32 ids], "decode_tokens": 64, "rounds": 2}
//   1. validation (float32): for each of validate_texts, its ids (the model's tokenizer, no special
//      tokens added, as training encodes a rendered prompt) and greedy continuation of validate_tokens,
//      with the top-2 logit margin at each step (peers.sh compares llama.cpp's and PyTorch's with it);
//   2. per format: prefill = one ModelDecoder::prefill of prefill_ids (logits of its last row only),
//      a warm-up then `rounds` timed, best kept; decode = decode_prompt_ids prefilled, then
//      decode_tokens steps of one greedy token at batch 1 timed (the first token, from the prefill's
//      logits, is not), `rounds` times, best kept.
// Formats (the names are what peers.sh prints):
//   f32     float32 weights, float32 compute (prefill: OpenBLAS sgemm; decode: float32 GEMV)
//   bf16    the same model with compute_dtype bfloat16 (Model::set_bf16_compute: prefill through the
//           bf16 GEMM layer) and bfloat16 decode copies (generate --bf16)
//   q8      quantized to affine 8-bit group 64 (MLX's Q8) with bf16 scales and biases, as a bf16
//           checkpoint (the Hub's Qwen3-0.6B) is quantized at load; decoded exactly (generate --exact:
//           float activations, the lm-head from the bf16 twin of compute_dtype auto)
//   q8+fast the same model decoded as sampling and generate do by default (sampling_decode_options:
//           the 8-bit packed lm-head and int8 activations, as llama.cpp's Q8_0 rounds its activations
//           to Q8_0); prefill as q8, so not repeated
// Times: wall seconds (what peers.sh prints) and process CPU seconds / threads (shared machines).
// usage: bench_peers MODEL_DIR REQUEST.json OUT.json [--formats f32,bf16,q8,q8+fast]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "bench_clock.h"
#include "core/fp_mode.h"
#include "core/worker_pool.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "ops/gemm_bf16.h"
#include "sampling/sampler.h"
#include "text/tokenizer.h"

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Timing {
    double wall = 1e30, cpu = 1e30;  // best of the rounds, seconds
    void keep(double w, double c) { wall = std::min(wall, w), cpu = std::min(cpu, c); }
};

// Greedy continuation on the float32 decoder, with the top-2 logit margin and runner-up per step.
json validate(rf::ModelDecoder& dec, const std::vector<int>& ids, int n) {
    const int V = dec.vocab_size();
    std::vector<float> logits;
    dec.prefill({ids}, n + 1, logits);
    dec.fork({0});  // sequence 0 continues prompt 0
    std::vector<int> greedy, second;
    std::vector<double> margins;
    for (int i = 0; i < n; ++i) {
        const float* l = logits.data();
        int a = 0, b = -1;
        for (int v = 1; v < V; ++v)
            if (l[v] > l[a]) b = a, a = v;
            else if (b < 0 || l[v] > l[b]) b = v;
        greedy.push_back(a);
        second.push_back(b);
        margins.push_back(double(l[a]) - double(l[b]));
        if (i + 1 < n) dec.decode({0}, {a}, logits);
    }
    return {{"prompt_ids", ids}, {"greedy", greedy}, {"second", second}, {"margins", margins}};
}

Timing time_prefill(rf::ModelDecoder& dec, const std::vector<int>& ids, int rounds, int threads) {
    std::vector<float> logits;
    dec.prefill({ids}, 1, logits);  // warm-up: scratch and cache pages
    Timing t;
    for (int r = 0; r < rounds; ++r) {
        const auto t0 = Clock::now();
        const double c0 = rf::bench::cpu_seconds();
        dec.prefill({ids}, 1, logits);
        t.keep(seconds_since(t0), (rf::bench::cpu_seconds() - c0) / threads);
    }
    return t;
}

Timing time_decode(rf::ModelDecoder& dec, const std::vector<int>& prompt, int n, int rounds, int threads) {
    const int V = dec.vocab_size();
    std::vector<float> logits;
    Timing t;
    for (int r = 0; r < rounds; ++r) {
        dec.prefill({prompt}, n + 1, logits);
        dec.fork({0});
        int tok = rf::argmax(logits.data(), V);
        const auto t0 = Clock::now();
        const double c0 = rf::bench::cpu_seconds();
        for (int i = 0; i < n; ++i) {
            dec.decode({0}, {tok}, logits);
            tok = rf::argmax(logits.data(), V);
        }
        t.keep(seconds_since(t0), (rf::bench::cpu_seconds() - c0) / threads);
    }
    return t;
}

}  // namespace

int main(int argc, char** argv) {
    rf::init_math_threads(argv);  // as the CLI: FTZ/DAZ, the OpenBLAS kernel, OpenMP waiting
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::vector<std::string> pos;
    std::string formats = "f32,bf16,q8,q8+fast";
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--formats" && i + 1 < argc) formats = argv[++i];
        else pos.push_back(a);
    }
    if (pos.size() != 3) {
        std::fprintf(stderr, "usage: bench_peers MODEL_DIR REQUEST.json OUT.json [--formats f32,bf16,q8,q8+fast]\n");
        return 2;
    }
    const std::string dir = pos[0];
    try {
        json req;
        std::ifstream(pos[1]) >> req;
        const auto prefill_ids = req.at("prefill_ids").get<std::vector<int>>();
        const auto decode_prompt = req.at("decode_prompt_ids").get<std::vector<int>>();
        const int n_decode = req.at("decode_tokens").get<int>(), rounds = req.value("rounds", 2);
        const int threads = rf::WorkerPool::global().size();
        std::printf("bench_peers: %s, %d worker threads; math: %s\n", dir.c_str(), threads, rf::math_kernels().c_str());
        json out = {{"engine", "reinforge"}, {"threads", threads}, {"math", rf::math_kernels()}, {"rows", json::array()}};

        std::stringstream want(formats);
        std::vector<std::string> fs;
        for (std::string f; std::getline(want, f, ',');) fs.push_back(f);
        auto wants = [&](const char* f) { return std::find(fs.begin(), fs.end(), f) != fs.end(); };
        auto row = [&](const std::string& name, const Timing* pre, const Timing& dec) {
            json r = {{"format", name},
                      {"decode_tok_s", n_decode / dec.wall},
                      {"decode_cpu_tok_s", n_decode / dec.cpu}};
            if (pre) r["prefill_tok_s"] = double(prefill_ids.size()) / pre->wall, r["prefill_cpu_tok_s"] = double(prefill_ids.size()) / pre->cpu;
            char pre_s[64] = "-", pre_c[64] = "-";
            if (pre) {
                std::snprintf(pre_s, sizeof pre_s, "%.1f", double(prefill_ids.size()) / pre->wall);
                std::snprintf(pre_c, sizeof pre_c, "%.1f", double(prefill_ids.size()) / pre->cpu);
            }
            std::printf("  %-6s prefill %s tok/s, decode %.2f tok/s (CPU time: %s / %.2f)\n", name.c_str(), pre_s,
                        n_decode / dec.wall, pre_c, n_decode / dec.cpu);
            out["rows"].push_back(r);
        };

        {
            auto t0 = Clock::now();
            auto model = rf::Model::load(dir);
            std::printf("loaded float32 in %.1f s\n", seconds_since(t0));
            rf::ModelDecoder f32(*model);
            auto tok = rf::load_tokenizer(dir);
            out["validate"] = json::array();
            for (const auto& text : req.at("validate_texts")) {
                const auto ids = tok->encode(text.get<std::string>());
                out["validate"].push_back(validate(f32, ids, req.value("validate_tokens", 8)));
                std::printf("validation prompt: %zu ids; greedy %s\n", ids.size(), out["validate"].back()["greedy"].dump().c_str());
            }
            if (wants("f32")) {
                const Timing p = time_prefill(f32, prefill_ids, rounds, threads);
                row("f32", &p, time_decode(f32, decode_prompt, n_decode, rounds, threads));
            }
            if (wants("bf16")) {
                if (!model->set_bf16_compute(true)) {
                    std::printf("  bf16: this CPU has no bf16 GEMM (bf16_gemm_available() is false): prefill stays float32\n");
                    out["bf16_prefill_is_f32"] = true;
                }
                rf::DecodeOptions o;
                o.bf16_weights = true;
                rf::ModelDecoder bf16(*model, o);
                const Timing p = time_prefill(bf16, prefill_ids, rounds, threads);
                row("bf16", &p, time_decode(bf16, decode_prompt, n_decode, rounds, threads));
            }
        }
        if (wants("q8") || wants("q8+fast")) {
            auto t0 = Clock::now();
            auto model = rf::Model::load(dir);
            model->quantize_base(rf::QuantSpec{8, 64, rf::QuantMode::affine}, rf::DType::BF16);
            model->set_bf16_compute(true);  // what compute_dtype auto does: the lm-head (still float) in bf16
            std::printf("loaded and quantized to Q8 (affine, group 64, bf16 scales) in %.1f s\n", seconds_since(t0));
            rf::ModelDecoder q8(*model, rf::sampling_decode_options(*model, true, true));
            const Timing p = time_prefill(q8, prefill_ids, rounds, threads);
            if (wants("q8")) row("q8", &p, time_decode(q8, decode_prompt, n_decode, rounds, threads));
            if (wants("q8+fast")) {
                t0 = Clock::now();
                rf::ModelDecoder fast(*model, rf::sampling_decode_options(*model, true, false));
                std::printf("fast decoder (8-bit lm-head packed once) in %.1f s\n", seconds_since(t0));
                row("q8+fast", wants("q8") ? nullptr : &p, time_decode(fast, decode_prompt, n_decode, rounds, threads));
            }
        }
        std::ofstream(pos[2]) << out.dump() << "\n";
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_peers: %s\n", e.what());
        return 1;
    }
    return 0;
}
