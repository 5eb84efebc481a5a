// KV-cached decode and prefill on the Qwen3-0.6B shape (28 layers, C 1024, I 3072, 16/8 heads of 128,
// V 151936, tied, q/k norm; random weights), float32 and bfloat16 decode weights, batch 1, 4, 8:
//   1. validation: decode log-probs at full size against Model::forward on the same tokens;
//   2. read-only memory bandwidth in this process (AVX-512 sum over 1 GiB on the same worker pool);
//   3. decode tokens/s = batch x steps / time, against the bandwidth limit
//        limit steps/s = bandwidth / (weight bytes read per step: 7 projections x 28 + lm-head)
//      (KV-cache reads are extra; they are small at these contexts and reported);
//   4. prefill tokens/s (one 256-token prompt, and 4 prompts of 64), effective GFLOP/s against
//      cblas_sgemm on the MLP shape (M 256, N 3072, K 1024, NT) measured in the same process;
//   5. sampling cost per token at V = 151936 (top_p 0.95, top_k 20, temperature 0.8).
// usage: bench_decode [--steps N] [--json FILE]
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <time.h>
#include <vector>

#include "core/rng.h"
#include "core/worker_pool.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "sampling/sampler.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
// Process CPU time (all threads). Divided by the thread count it discounts time-slicing on a shared
// machine (not its cache and memory contention); spin-waiting counts, so it errs against us.
double cpu_now() {
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

std::string load_average() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    f >> a >> b >> c;
    return a + " " + b + " " + c;
}

const char* kQwen3 = R"({"model_type": "qwen3", "hidden_size": 1024, "intermediate_size": 3072,
  "num_hidden_layers": 28, "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128,
  "vocab_size": 151936, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "tie_word_embeddings": true,
  "max_position_embeddings": 40960})";

// Read-only bandwidth: sum of a 1 GiB float array split over the pool (best of 5), by wall time and
// by CPU time / threads (cpu_bw).
double read_bandwidth(rf::WorkerPool& pool, double& cpu_bw) {
    const size_t n = size_t(1) << 28;
    std::vector<float> a(n, 1.0f);
    double best = 1e30, best_cpu = 1e30;
    std::vector<double> part(size_t(pool.size()));
    for (int rep = 0; rep < 5; ++rep) {
        auto t0 = Clock::now();
        const double c0 = cpu_now();
        pool.run([&](int share, int shares) {
            const size_t lo = n * size_t(share) / size_t(shares), hi = n * size_t(share + 1) / size_t(shares);
#if defined(__AVX512F__)
            __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
            size_t i = lo;
            for (; i + 64 <= hi; i += 64) {
                s0 = _mm512_add_ps(s0, _mm512_loadu_ps(&a[i]));
                s1 = _mm512_add_ps(s1, _mm512_loadu_ps(&a[i + 16]));
                s2 = _mm512_add_ps(s2, _mm512_loadu_ps(&a[i + 32]));
                s3 = _mm512_add_ps(s3, _mm512_loadu_ps(&a[i + 48]));
            }
            double s = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
            for (; i < hi; ++i) s += a[i];
#else
            double s = 0;
            for (size_t i = lo; i < hi; ++i) s += a[i];
#endif
            part[size_t(share)] = s;
        });
        best = std::min(best, seconds_since(t0));
        best_cpu = std::min(best_cpu, (cpu_now() - c0) / pool.size());
        double total = 0;
        for (double p : part) total += p;
        if (std::abs(total - double(n)) > 1e-3 * double(n)) std::fprintf(stderr, "bandwidth check failed\n");
    }
    cpu_bw = double(n) * 4.0 / best_cpu;
    return double(n) * 4.0 / best;
}

double sgemm_gflops(double& cpu_gflops) {
    const int M = 256, N = 3072, K = 1024;
    std::vector<float> A(size_t(M) * K, 0.01f), B(size_t(N) * K, 0.02f), C(size_t(M) * N);
    double best = 1e30, best_cpu = 1e30;
    const int threads = openblas_get_num_threads();
    for (int rep = 0; rep < 8; ++rep) {
        auto t0 = Clock::now();
        const double c0 = cpu_now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, A.data(), K, B.data(), K, 0.0f, C.data(), N);
        best = std::min(best, seconds_since(t0));
        best_cpu = std::min(best_cpu, (cpu_now() - c0) / threads);
    }
    cpu_gflops = 2.0 * M * N * K / best_cpu / 1e9;
    return 2.0 * M * N * K / best / 1e9;
}

std::vector<int> random_tokens(rf::Rng& r, int n, int V) {
    std::vector<int> t;
    for (int i = 0; i < n; ++i) t.push_back(int(r.below(uint32_t(V))));
    return t;
}

// Decode log-probs against Model::forward at full size (6 prompt tokens + 3 decoded; batch 2).
double validate(rf::Model& m, rf::ModelDecoder& dec) {
    const int V = m.config().vocab_size;
    rf::Rng r(1);
    auto prompt = random_tokens(r, 6, V);
    std::vector<float> logits;
    dec.prefill({prompt}, 4, logits);
    dec.fork({0, 0});
    std::vector<std::vector<int>> seq = {prompt, prompt};
    std::vector<std::vector<float>> got(2);
    std::vector<float> first(logits.begin(), logits.begin() + V);
    for (int s = 0; s < 2; ++s) {
        seq[size_t(s)].push_back(int(r.below(uint32_t(V))));
        got[size_t(s)].push_back(rf::sampling_logprob(first.data(), V, seq[size_t(s)].back(), 1.0f));
    }
    for (int step = 0; step < 3; ++step) {
        dec.decode({0, 1}, {seq[0].back(), seq[1].back()}, logits);
        for (int s = 0; s < 2; ++s) {
            seq[size_t(s)].push_back(int(r.below(uint32_t(V))));
            got[size_t(s)].push_back(rf::sampling_logprob(logits.data() + size_t(s) * V, V, seq[size_t(s)].back(), 1.0f));
        }
    }
    double worst = 0;
    for (int s = 0; s < 2; ++s) {
        rf::TokenBatch b;
        b.B = 1;
        b.T = int(seq[size_t(s)].size());
        b.tokens.assign(seq[size_t(s)].begin(), seq[size_t(s)].end());
        b.targets.assign(b.tokens.size(), -1);
        for (size_t t = 0; t + 1 < b.tokens.size(); ++t) b.targets[t] = b.tokens[t + 1];
        std::vector<float> lp(b.tokens.size()), ent(b.tokens.size());
        m.forward(b, 1.0f, true, lp.data(), ent.data(), false);
        for (size_t i = 0; i < got[size_t(s)].size(); ++i)
            worst = std::max(worst, double(std::abs(got[size_t(s)][i] - lp[prompt.size() - 1 + i])));
    }
    return worst;
}

struct DecodeResult {
    double tok_s, steps_s, limit_steps_s, kv_mb_per_step;
    double cpu_tok_s, cpu_steps_s, cpu_limit_steps_s;  // by CPU time / threads
};

// G sequences continuing one 32-token prompt; `steps` timed decode steps after a warm-up step.
DecodeResult time_decode(rf::ModelDecoder& dec, int V, int G, int steps, double bandwidth, double cpu_bandwidth,
                         int threads) {
    rf::Rng r(7);
    auto prompt = random_tokens(r, 32, V);
    std::vector<float> logits;
    dec.prefill({prompt}, steps + 2, logits);
    dec.fork(std::vector<int>(size_t(G), 0));
    std::vector<int> seqs(static_cast<size_t>(G)), toks(static_cast<size_t>(G));
    for (int s = 0; s < G; ++s) seqs[size_t(s)] = s;
    auto next = [&] {
        for (auto& t : toks) t = int(r.below(uint32_t(V)));
    };
    next();
    dec.decode(seqs, toks, logits);  // warm-up (page faults of the cache and scratch)
    auto t0 = Clock::now();
    const double c0 = cpu_now();
    for (int i = 0; i < steps; ++i) {
        next();
        dec.decode(seqs, toks, logits);
    }
    const double t = seconds_since(t0), tc = (cpu_now() - c0) / threads;
    DecodeResult res;
    res.cpu_steps_s = steps / tc;
    res.cpu_tok_s = double(G) * steps / tc;
    res.cpu_limit_steps_s = cpu_bandwidth / double(dec.weight_bytes_per_pass());
    res.steps_s = steps / t;
    res.tok_s = double(G) * steps / t;
    res.limit_steps_s = bandwidth / double(dec.weight_bytes_per_pass());
    // K and V rows read per step: G sequences x (32 + ~steps/2) positions x 28 x 2 x 8 x 128 floats
    res.kv_mb_per_step = double(G) * (32 + steps / 2.0) * 28 * 2 * 8 * 128 * 4 / 1e6;
    return res;
}

}  // namespace

int main(int argc, char** argv) {
    int steps = 16;
    std::string json_path;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--steps" && i + 1 < argc) steps = std::atoi(argv[++i]);
        else if (a == "--json" && i + 1 < argc) json_path = argv[++i];
        else {
            std::fprintf(stderr, "usage: bench_decode [--steps N] [--json FILE]\n");
            return 2;
        }
    }
    rf::WorkerPool& pool = rf::WorkerPool::global();
    std::printf("bench_decode: Qwen3-0.6B shape, random weights; %d worker threads; load average %s\n", pool.size(),
                load_average().c_str());
    auto t0 = Clock::now();
    auto cfg = rf::ModelConfig::from_json_text(kQwen3, "qwen3-0.6b-shape");
    auto model = rf::Model::random_init(cfg, 1);
    std::printf("model: %.2f GB float32, built in %.1f s\n", model->base_params().size() * 4.0 / 1e9, seconds_since(t0));

    rf::ModelDecoder f32(*model);
    rf::DecodeOptions bo;
    bo.bf16_weights = true;
    t0 = Clock::now();
    rf::ModelDecoder bf16(*model, bo);
    std::printf("bf16 decode copies made in %.2f s\n", seconds_since(t0));

    const double err32 = validate(*model, f32), err16 = validate(*model, bf16);
    std::printf("validation: max |decode logp - forward logp| = %.2e (f32), %.2e (bf16 weights)\n", err32, err16);
    if (err32 > 1e-3) {
        std::printf("FAILED: float32 decode does not match the forward pass\n");
        return 1;
    }

    double cpu_bw = 0, cpu_peak = 0;
    const double bw = read_bandwidth(pool, cpu_bw);
    const double peak = sgemm_gflops(cpu_peak);
    std::printf("read-only bandwidth %.1f GB/s (CPU time: %.1f); cblas_sgemm 256x3072x1024 NT %.1f GFLOP/s (CPU time: "
                "%.1f)\n\n", bw / 1e9, cpu_bw / 1e9, peak, cpu_peak);

    std::printf("%-7s %5s %9s %8s %9s %7s | %9s %8s %9s %7s | %10s\n", "weights", "batch", "tokens/s", "steps/s",
                "limit", "% limit", "cpu tok/s", "steps/s", "limit", "% limit", "KV MB/step");
    std::string json = "{\"load_average\": \"" + load_average() + "\", \"bandwidth_gbs\": " + std::to_string(bw / 1e9) +
                       ", \"cpu_bandwidth_gbs\": " + std::to_string(cpu_bw / 1e9) + ", \"sgemm_gflops\": " +
                       std::to_string(peak) + ", \"cpu_sgemm_gflops\": " + std::to_string(cpu_peak) + ", \"decode\": [";
    bool first = true;
    for (auto* dec : {&f32, &bf16})
        for (int G : {1, 4, 8}) {
            DecodeResult r = time_decode(*dec, cfg.vocab_size, G, steps, bw, cpu_bw, pool.size());
            const char* w = dec == &f32 ? "f32" : "bf16";
            std::printf("%-7s %5d %9.2f %8.2f %9.2f %6.0f%% | %9.2f %8.2f %9.2f %6.0f%% | %10.1f\n", w, G, r.tok_s,
                        r.steps_s, r.limit_steps_s, 100.0 * r.steps_s / r.limit_steps_s, r.cpu_tok_s, r.cpu_steps_s,
                        r.cpu_limit_steps_s, 100.0 * r.cpu_steps_s / r.cpu_limit_steps_s, r.kv_mb_per_step);
            json += std::string(first ? "" : ", ") + "{\"weights\": \"" + w + "\", \"batch\": " + std::to_string(G) +
                    ", \"tokens_per_s\": " + std::to_string(r.tok_s) + ", \"limit_steps_per_s\": " +
                    std::to_string(r.limit_steps_s) + ", \"cpu_tokens_per_s\": " + std::to_string(r.cpu_tok_s) +
                    ", \"cpu_limit_steps_per_s\": " + std::to_string(r.cpu_limit_steps_s) + "}";
            first = false;
        }

    // prefill: forward FLOPs = 2 x (non-embedding params + lm-head rows computed) per token + attention
    const double lin = 28.0 * (1024.0 * 2048 * 2 + 1024.0 * 1024 * 2 + 3.0 * 1024 * 3072);
    std::printf("\n%-22s %10s %10s %9s\n", "prefill", "tokens/s", "GFLOP/s", "% sgemm");
    json += "], \"prefill\": [";
    first = true;
    for (auto [P, T] : {std::pair{1, 256}, std::pair{4, 64}}) {
        rf::Rng r(3);
        std::vector<std::vector<int>> prompts;
        for (int p = 0; p < P; ++p) prompts.push_back(random_tokens(r, T, cfg.vocab_size));
        std::vector<float> logits;
        f32.prefill(prompts, 1, logits);  // warm-up
        auto t1 = Clock::now();
        const double c1 = cpu_now();
        f32.prefill(prompts, 1, logits);
        const double t = seconds_since(t1), tc = (cpu_now() - c1) / pool.size();
        const double flops = 2.0 * lin * P * T + 28.0 * P * (4.0 * T * T / 2 * 128 * 16) + 2.0 * P * 151936 * 1024;
        std::printf("%d x %-18d %10.1f %10.1f %8.0f%% | cpu time: %7.1f tok/s %7.1f GFLOP/s %5.0f%%\n", P, T, P * T / t,
                    flops / t / 1e9, 100.0 * flops / t / 1e9 / peak, P * T / tc, flops / tc / 1e9,
                    100.0 * flops / tc / 1e9 / cpu_peak);
        json += std::string(first ? "" : ", ") + "{\"prompts\": " + std::to_string(P) + ", \"tokens\": " +
                std::to_string(T) + ", \"tokens_per_s\": " + std::to_string(P * T / t) + ", \"cpu_tokens_per_s\": " +
                std::to_string(P * T / tc) + "}";
        first = false;
    }

    // sampling cost at V = 151936 (GRPO defaults)
    {
        rf::SamplingParams sp;
        sp.temperature = 0.8f;
        sp.top_p = 0.95f;
        sp.top_k = 20;
        auto chain = rf::SamplerChain::from_params(sp);
        rf::Rng r(5);
        std::vector<float> logits(size_t(cfg.vocab_size));
        for (auto& x : logits) x = 2.0f * r.normal();
        rf::Candidates scratch;
        const int n = 50;
        auto t1 = Clock::now();
        for (int i = 0; i < n; ++i) {
            int tok = chain.sample(logits.data(), cfg.vocab_size, r, scratch);
            (void)rf::sampling_logprob(logits.data(), cfg.vocab_size, tok, sp.temperature);
        }
        const double us = seconds_since(t1) / n * 1e6;
        std::printf("\nsampling (top_p 0.95, top_k 20, T 0.8) + logprob at V=151936: %.0f us per token\n", us);
        json += "], \"sample_us\": " + std::to_string(us) + "}";
    }
    std::printf("load average at the end: %s\n", load_average().c_str());
    if (!json_path.empty()) std::ofstream(json_path) << json << "\n";
    return 0;
}
