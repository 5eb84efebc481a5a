// One LoRA training step (forward with saved activations + backward; no optimizer update) of
// rf::Model on random weights: tokens/s, executed GFLOP/s against the sgemm peak measured in the same
// process, peak RSS, and a per-op breakdown of where the time goes.
//
//   shapes: qwen3-0.6b  hidden 1024, 28 layers, 16/8 heads, head_dim 128, intermediate 3072,
//                       vocab 151936, tied (Qwen3-0.6B)
//           smollm2-135m hidden 576, 30 layers, 9/3 heads, head_dim 64, intermediate 1536,
//                       vocab 49152, tied (SmolLM2-135M, llama)
//   LoRA rank 8, scale 20, on all seven linears of every block; B = 1, T = 256, every position scored,
//   loss = -mean logp at temperature 1 (the PyTorch peer, bench/torch_train_step.py, does the same).
//
// Before timing, a tiny model's step is validated against the naive path (every GEMM through
// gemm_naive): logp and all LoRA gradients must agree to 1e-4 relative.
//
// usage: bench_train_step [--shape qwen3-0.6b|smollm2-135m|all] [--T 256] [--steps 3] [--no-breakdown]
//                         [--compute f32|bf16|both]  (bf16: Model::set_bf16_compute, with its logp error vs f32)
// build: part of the bench/ targets (cmake --build <build> --target bench_train_step)
#include <cblas.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/fp_mode.h"
#include "core/rng.h"
#include "ops/gemm_bf16.h"
#include "model/model.h"
#include "ops/attention.h"
#include "ops/gemm.h"
#include "ops/lm_head.h"
#include "ops/matmul.h"

namespace {

using Clock = std::chrono::steady_clock;
double secs(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

// CPU seconds of the whole process (all threads): on a shared, loaded machine wall time mostly measures
// the neighbours; CPU time measures the work (plus OpenBLAS's spin-waiting with 2 threads).
double cpu_now() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

double peak_rss_mb() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

rf::ModelConfig qwen3_06b() {
    rf::ModelConfig c;
    c.model_type = "qwen3";
    c.hidden_size = 1024;
    c.intermediate_size = 3072;
    c.num_hidden_layers = 28;
    c.num_attention_heads = 16;
    c.num_key_value_heads = 8;
    c.head_dim = 128;
    c.vocab_size = 151936;
    c.rms_norm_eps = 1e-6f;
    c.rope_theta = 1e6f;
    c.tie_word_embeddings = true;
    c.qk_norm = true;
    return c;
}

rf::ModelConfig smollm2_135m() {
    rf::ModelConfig c;
    c.model_type = "llama";
    c.hidden_size = 576;
    c.intermediate_size = 1536;
    c.num_hidden_layers = 30;
    c.num_attention_heads = 9;
    c.num_key_value_heads = 3;
    c.head_dim = 64;
    c.vocab_size = 49152;
    c.rms_norm_eps = 1e-5f;
    c.rope_theta = 1e5f;
    c.tie_word_embeddings = true;
    return c;
}

rf::TokenBatch make_batch(int T, int V, uint64_t seed) {
    rf::Rng r(seed);
    rf::TokenBatch b;
    b.B = 1;
    b.T = T;
    for (int t = 0; t < T; ++t) b.tokens.push_back(int32_t(r.below(V)));
    for (int t = 0; t < T; ++t) b.targets.push_back(int32_t(r.below(V)));  // every position scored
    return b;
}

// Executed FLOPs of one LoRA step (multiply-add = 2), T tokens, all scored:
//   linears: forward x W^T and backward dX = dY W over the 7 projections: 4 T P_lin
//   LoRA: forward x A, u B; backward dB, du, dA, du A^T: 12 T R (in + out) per adapted linear
//   attention, query blocks of 64 rows against keys 0..end of block (A = sum over blocks of rows x keys):
//   forward QK^T, PV: 4 A HS per head; backward recompute QK^T, dP, dQ, dK, dV: 10 A HS per head
//   lm head: forward logits and E_p[W]: 4 T C V; backward: no GEMM (uses E_p[W])
double step_flops(const rf::ModelConfig& c, int T, int R) {
    const double C = c.hidden_size, I = c.intermediate_size, L = c.num_hidden_layers, V = c.vocab_size;
    const double QD = c.num_attention_heads * c.head_dim, KD = c.num_key_value_heads * c.head_dim;
    const double P_lin = L * (C * QD + 2 * C * KD + QD * C + 3 * C * I);
    const double lora_io = L * ((C + QD) + 2 * (C + KD) + (QD + C) + 3 * (C + I));
    double area = 0;
    for (int r0 = 0; r0 < T; r0 += 64) area += double(std::min(64, T - r0)) * std::min(T, r0 + 64);
    const double attn = L * c.num_attention_heads * 14.0 * area * c.head_dim;
    return 4.0 * T * P_lin + 12.0 * T * R * lora_io + attn + 4.0 * T * C * V;
}

// Best-of sgemm GFLOP/s on the step's main shapes (the compute limit, same process, same threads),
// per wall second and per CPU second.
std::pair<double, double> sgemm_peak(const rf::ModelConfig& c, int T) {
    const int C = c.hidden_size, I = c.intermediate_size;
    std::vector<float> A(size_t(T) * I, 0.5f), B(size_t(I) * C * 2, 0.25f), D(size_t(T) * I * 2, 0.f);
    double best = 0, best_cpu = 0;
    for (int rep = 0; rep < 5; ++rep)
        for (auto [N, K] : {std::pair{I, C}, std::pair{C, I}}) {
            const double c0 = cpu_now();
            auto t0 = Clock::now();
            rf::gemm<float>(false, true, T, N, K, 1.0f, A.data(), K, B.data(), K, 0.0f, D.data(), N);
            const double s = secs(t0, Clock::now()), sc = cpu_now() - c0;
            best = std::max(best, 2.0 * T * N * K / s / 1e9);
            best_cpu = std::max(best_cpu, 2.0 * T * N * K / sc / 1e9);
        }
    return {best, best_cpu};
}

// Tiny model: the step with BLAS vs the same step with every GEMM through gemm_naive.
bool validate() {
    rf::ModelConfig c = qwen3_06b();
    c.hidden_size = 48;
    c.intermediate_size = 64;
    c.num_hidden_layers = 2;
    c.num_attention_heads = 4;
    c.num_key_value_heads = 2;
    c.head_dim = 16;
    c.vocab_size = 211;
    rf::TokenBatch b = make_batch(19, c.vocab_size, 3);
    std::vector<float> lp[2], g[2];
    for (int naive = 0; naive < 2; ++naive) {
        rf::set_naive_gemm(naive);
        auto m = rf::Model::random_init(c, 1);
        m->set_finetune({.type = rf::FineTuneType::lora, .rank = 8, .scale = 20.0f}, 2);
        rf::Rng r(4);
        for (float& p : m->params()) p += 0.05f * r.normal();
        std::vector<float> ent(b.T), d(b.T, -1.0f / b.T);
        lp[naive].resize(b.T);
        m->forward(b, 1.0f, true, lp[naive].data(), ent.data(), true);
        m->backward(d.data());
        g[naive].assign(m->grads().begin(), m->grads().end());
    }
    rf::set_naive_gemm(false);
    double worst = 0, gscale = 1e-6;
    for (float x : g[1]) gscale = std::max(gscale, double(std::abs(x)));
    for (size_t i = 0; i < lp[0].size(); ++i)
        worst = std::max(worst, std::abs(lp[0][i] - lp[1][i]) / (1.0 + std::abs(lp[1][i])));
    for (size_t i = 0; i < g[0].size(); ++i) worst = std::max(worst, std::abs(g[0][i] - g[1][i]) / gscale);
    std::printf("validate: BLAS path vs naive path, max rel err %.2e (limit 1e-4) %s\n", worst,
                worst <= 1e-4 ? "OK" : "FAILED");
    return worst <= 1e-4;
}

// Where the time goes: each op family timed alone at the step's shapes, times its count per step.
// bf16: the base and lm-head weights get bf16 twins, so their products run as in the bf16 step.
void breakdown(const rf::ModelConfig& c, int T, double step_s, bool bf16) {
    const int C = c.hidden_size, I = c.intermediate_size, L = c.num_hidden_layers, V = c.vocab_size;
    const int NH = c.num_attention_heads, KVH = c.num_key_value_heads, HS = c.head_dim;
    const int QD = NH * HS, KD = KVH * HS;
    rf::Rng r(9);
    auto randv = [&](size_t n) {
        std::vector<float> v(n);
        for (float& x : v) x = 0.1f * r.normal();
        return v;
    };
    auto timeit = [](auto&& f) {
        f();
        double best = 1e9;
        for (int i = 0; i < 3; ++i) {
            double t0 = cpu_now();
            f();
            best = std::min(best, cpu_now() - t0);
        }
        return best;
    };
    std::vector<float> x = randv(size_t(T) * I), y(size_t(T) * I * 2), W = randv(size_t(I) * C);
    rf::Bf16Twins twins;  // W seen as (out, in) with in = C, QD or I: a twin per row length
    if (bf16)
        for (int in : {C, QD, I})
            if (W.size() % size_t(in) == 0) twins.add(W.data(), long(W.size() / in), in);
    // base linears: forward NT and backward dX NN over the seven projections
    double lin = 0;
    for (auto [N, K] : {std::pair{QD, C}, {KD, C}, {KD, C}, {C, QD}, {I, C}, {I, C}, {C, I}}) {
        lin += timeit([&] { rf::matmul_forward<float>(y.data(), x.data(), W.data(), nullptr, T, N, K); });
        lin += timeit(
            [&] { rf::matmul_backward<float>(y.data(), nullptr, nullptr, x.data(), x.data(), W.data(), T, N, K); });
    }
    std::vector<float> q = randv(size_t(T) * QD), k = randv(size_t(T) * KD), v = randv(size_t(T) * KD),
                       o(size_t(T) * QD), lse(size_t(NH) * T), dq(q.size()), dk(k.size()), dv(v.size());
    double att_f = timeit(
        [&] { rf::attention_forward<float>(o.data(), lse.data(), q.data(), k.data(), v.data(), 1, T, NH, KVH, HS); });
    double att_b = timeit([&] {
        rf::attention_backward<float>(dq.data(), dk.data(), dv.data(), o.data(), q.data(), k.data(), v.data(), o.data(),
                                      lse.data(), 1, T, NH, KVH, HS);
    });
    std::vector<float> h = randv(size_t(T) * C), E = randv(size_t(V) * C), lp(T), en(T), ls(T), dh(size_t(T) * C),
                       dl(T, -1.0f / T);
    if (bf16) twins.add(E.data(), V, C);
    std::vector<int32_t> tg(T);
    for (int t = 0; t < T; ++t) tg[t] = int32_t(r.below(V));
    std::vector<float> pw(size_t(T) * C);
    rf::LmHeadWork<float> work;
    double lm_f = timeit([&] {  // as in a training forward: logits and E_p[W]
        rf::lm_head_logp_forward<float>(lp.data(), en.data(), ls.data(), h.data(), E.data(), tg.data(), T, C, V, 1.0f,
                                        work, pw.data());
    });
    double lm_b = timeit([&] {
        rf::lm_head_logp_backward<float>(dh.data(), nullptr, dl.data(), nullptr, h.data(), E.data(), tg.data(),
                                         ls.data(), en.data(), T, C, V, 1.0f, work, pw.data());
    });
    const double parts[] = {lin * L, att_f * L, att_b * L, lm_f, lm_b};
    const char* names[] = {"base linears fwd+dX (7 x 2 GEMMs x L)", "attention forward (x L)",
                           "attention backward (x L)", "lm-head logp forward", "lm-head logp backward"};
    double sum = 0;
    std::printf("  where the CPU time goes (each op timed alone at these shapes, best of 3):\n");
    for (int i = 0; i < 5; ++i) {
        sum += parts[i];
        std::printf("    %-40s %7.3f s  %5.1f%%\n", names[i], parts[i], 100 * parts[i] / step_s);
    }
    std::printf("    %-40s %7.3f s  %5.1f%%  (LoRA GEMMs, norms, RoPE, SwiGLU, copies)\n", "rest", step_s - sum,
                100 * (step_s - sum) / step_s);
}

void bench(const char* name, const rf::ModelConfig& c, int T, int steps, bool with_breakdown, bool bf16) {
    const int R = 8;
    auto t0 = Clock::now();
    auto m = rf::Model::random_init(c, 1);
    m->set_finetune({.type = rf::FineTuneType::lora, .rank = R, .scale = 20.0f}, 2);
    const double t_init = secs(t0, Clock::now());
    rf::TokenBatch b = make_batch(T, c.vocab_size, 5);
    std::vector<float> lp(T), en(T), d(T, -1.0f / T);
    if (bf16) {
        // the bf16 log-prob error against float32 on this batch (B trained a little so adapters count)
        for (float& x : m->params()) x += 1e-3f;
        std::vector<float> lp32(T), en32(T);
        m->forward(b, 1.0f, true, lp32.data(), en32.data(), false);
        if (!m->set_bf16_compute(true)) {
            std::printf("%s: bf16 compute unavailable here (%s)\n", name, rf::bf16_gemm_description().c_str());
            return;
        }
        m->forward(b, 1.0f, true, lp.data(), en.data(), false);
        double mx = 0, mean = 0;
        for (int t = 0; t < T; ++t) mx = std::max(mx, double(std::fabs(lp[t] - lp32[t]))), mean += std::fabs(lp[t] - lp32[t]) / T;
        std::printf("%s bf16 (%s): |logp_bf16 - logp_f32| max %.3e, mean %.3e (logp ~ %.2f)\n", name,
                    rf::bf16_gemm_description().c_str(), mx, mean, double(lp32[0]));
    }
    std::vector<double> fwd, bwd, cpu;
    for (int s = 0; s < steps + 1; ++s) {  // the first step warms up (page faults, buffer growth)
        m->zero_grad();
        const double c0 = cpu_now();
        auto a = Clock::now();
        m->forward(b, 1.0f, true, lp.data(), en.data(), true);
        auto mid = Clock::now();
        m->backward(d.data());
        auto e = Clock::now();
        if (s > 0) fwd.push_back(secs(a, mid)), bwd.push_back(secs(mid, e)), cpu.push_back(cpu_now() - c0);
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    std::vector<double> tot(fwd.size());
    for (size_t i = 0; i < fwd.size(); ++i) tot[i] = fwd[i] + bwd[i];
    const double step = median(tot), step_cpu = median(cpu), flops = step_flops(c, T, R);
    const auto [peak, peak_cpu] = sgemm_peak(c, T);
    double loss = 0;
    for (float x : lp) loss -= x / T;
    std::printf("%s [%s]: T=%d, LoRA r=%d on all linears (%zu trainable), init %.1f s\n", name,
                bf16 ? "bf16 base" : "f32", T, R, m->params().size(), t_init);
    std::printf("  step (fwd+bwd) median of %d: %.3f s  (fwd %.3f s, bwd %.3f s)  -> %.1f tokens/s, loss %.4f\n", steps,
                step, median(fwd), median(bwd), T / step, loss);
    std::printf("  executed %.1f GFLOP/step -> %.1f GFLOP/s = %.0f%% of sgemm peak %.1f GFLOP/s (same process)\n",
                flops / 1e9, flops / step / 1e9, 100 * flops / step / 1e9 / peak, peak);
    std::printf(
        "  CPU time %.3f s/step (all threads) -> %.1f tokens per CPU-second; %.1f GFLOP per CPU-second = %.0f%% "
        "of sgemm's %.1f\n",
        step_cpu, T / step_cpu, flops / step_cpu / 1e9, 100 * flops / step_cpu / 1e9 / peak_cpu, peak_cpu);
    std::printf("  peak RSS so far %.0f MB\n", peak_rss_mb());
    if (with_breakdown) breakdown(c, T, step_cpu, bf16);
}

}  // namespace

int main(int argc, char** argv) {
    std::string shape = "all";
    int T = 256, steps = 3;
    bool with_breakdown = true;
    std::string compute = "both";  // f32 | bf16 | both
    rf::init_math_threads(argv);
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--shape" && i + 1 < argc)
            shape = argv[++i];
        else if (a == "--T" && i + 1 < argc)
            T = std::atoi(argv[++i]);
        else if (a == "--steps" && i + 1 < argc)
            steps = std::max(1, std::atoi(argv[++i]));
        else if (a == "--no-breakdown")
            with_breakdown = false;
        else if (a == "--compute" && i + 1 < argc)
            compute = argv[++i];
        else {
            std::fprintf(stderr,
                         "usage: bench_train_step [--shape qwen3-0.6b|smollm2-135m|all] [--T 256] [--steps 3] "
                         "[--no-breakdown] [--compute f32|bf16|both]\n");
            return 2;
        }
    }
    std::printf("OpenBLAS: %s, %d threads\n", openblas_get_config(), openblas_get_num_threads());
    if (!validate()) return 1;
    std::printf("math: %s\n", rf::math_kernels().c_str());
    for (bool bf16 : {false, true}) {
        if ((bf16 && compute == "f32") || (!bf16 && compute == "bf16")) continue;
        if (shape == "smollm2-135m" || shape == "all") bench("smollm2-135m", smollm2_135m(), T, steps, with_breakdown, bf16);
        if (shape == "qwen3-0.6b" || shape == "all") bench("qwen3-0.6b", qwen3_06b(), T, steps, with_breakdown, bf16);
    }
    return 0;
}
