// A quantized frozen base end to end (issue 9): KV-cached decode at batch 1 and a LoRA training step
// on the Qwen3-0.6B shape (28 layers, C 1024, I 3072, 16/8 heads of 128, V 151936, tied, q/k norm;
// random weights), with the seven block projections held as
//   F32, BF16 (decode copies), Q8 / Q4 (MLX affine, group 64), MXFP4 (group 32)
// and the lm-head as bf16 decode copy, or (the "+lm" rows) as a packed decode copy in the same format,
// which is what an mlx-community 4-bit checkpoint holds (its tied embedding is quantized too).
//
//   1. validation: (a) the packed GEMV against its naive twin (quant_matmul_naive) on layer 0's q_proj
//      and on the lm-head copy; (b) decode log-probs at full size against Model::forward on the same
//      tokens (the forward runs the tiled dequantize + sgemm path); (c) a LoRA step on a packed 2-layer
//      model of the same widths against the same step on its dequantized float twin;
//   2. read-only memory bandwidth in this process (1 GiB, AVX-512 sum on the decode worker pool);
//   3. decode tokens/s (one 32-token prompt, `steps` timed tokens after a warm-up; the best of
//      `rounds` rounds interleaved over the formats) against the bandwidth limit = bandwidth / bytes
//      of weights read per token (decoder's weight_bytes_per_pass);
//   4. LoRA step (r 8 on all seven projections, B 1, T 256, forward + backward) on the F32 and packed
//      bases (packed: bf16 scales), float32 and (the "/bf16" rows) compute_dtype bfloat16; peak RSS of each (VmHWM, reset through /proc/self/clear_refs before it).
// Wall figures suffer on a shared machine; CPU-time figures (process CPU time / threads) discount
// time-slicing (not cache or memory contention).
//   5. (--gemv, instead of 3-4) the weight GEMVs of one decode pass alone, BF16 (the engine's kernel and
//      two written here: + prefetch, vdpbf16ps) against Q4 exact and int8.
// Format suffixes: "+lm" packed lm-head copy; "+i8" DecodeOptions::int8_activations.
// usage: bench_quant_model [--layers N] [--steps N] [--rounds N] [--no-train] [--gemv] [--formats f32,bf16,q8,q4,mxfp4,q4+lm,q4+lm+i8,...]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <time.h>
#include <vector>

#include "core/fp_mode.h"
#include "core/rng.h"
#include "core/worker_pool.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "ops/decode_matmul.h"
#include "quant/quant_matmul.h"
#include "sampling/generate.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own _mm512_undefined_* placeholders inside avx512fintrin.h as uninitialized.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
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
double status_mb(const char* key) {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind(key, 0) == 0) return std::atof(line.c_str() + std::strlen(key)) / 1024.0;
    return 0;
}
void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

std::string qwen3_json(int layers, int vocab) {
    return R"({"model_type": "qwen3", "hidden_size": 1024, "intermediate_size": 3072, "num_hidden_layers": )" +
           std::to_string(layers) + R"(, "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128,
  "vocab_size": )" + std::to_string(vocab) + R"(, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
  "tie_word_embeddings": true, "max_position_embeddings": 40960})";
}

// {wall, CPU-time} read-only bandwidth in bytes/s, best of 5
std::pair<double, double> read_bandwidth(rf::WorkerPool& pool) {
    const size_t n = size_t(1) << 28;
    std::vector<float> a(n, 1.0f);
    double best = 1e30, best_cpu = 1e30;
    std::vector<double> part(size_t(pool.size()));
    for (int rep = 0; rep < 5; ++rep) {
        auto t0 = Clock::now();
        const double c0 = cpu_now();
        pool.run([&](int share, int shares) {
            const size_t lo = n * size_t(share) / size_t(shares), hi = n * size_t(share + 1) / size_t(shares);
            double s = 0;
#if defined(__AVX512F__)
            __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
            size_t i = lo;
            for (; i + 64 <= hi; i += 64) {
                s0 = _mm512_add_ps(s0, _mm512_loadu_ps(&a[i]));
                s1 = _mm512_add_ps(s1, _mm512_loadu_ps(&a[i + 16]));
                s2 = _mm512_add_ps(s2, _mm512_loadu_ps(&a[i + 32]));
                s3 = _mm512_add_ps(s3, _mm512_loadu_ps(&a[i + 48]));
            }
            s = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
            for (; i < hi; ++i) s += a[i];
#else
            for (size_t i = lo; i < hi; ++i) s += a[i];
#endif
            part[size_t(share)] = s;
        });
        best = std::min(best, seconds_since(t0));
        best_cpu = std::min(best_cpu, (cpu_now() - c0) / pool.size());
    }
    double s = 0;
    for (double p : part) s += p;
    if (s < 0) std::printf("%f", s);  // keep the sum alive
    return {double(n) * 4 / best, double(n) * 4 / best_cpu};
}

struct Format {
    std::string name;
    bool quant = false, bf16 = false, lm_quant = false, int8 = false;
    rf::QuantSpec spec;
};

Format parse_format(const std::string& s) {
    Format f;
    f.name = s;
    std::string base = s;
    if (base.size() > 3 && base.compare(base.size() - 3, 3, "+i8") == 0) {
        f.int8 = true;
        base = base.substr(0, base.size() - 3);
    }
    if (base.size() > 3 && base.compare(base.size() - 3, 3, "+lm") == 0) {
        f.lm_quant = true;
        base = base.substr(0, base.size() - 3);
    }
    if (base == "f32") return f;
    f.bf16 = true;  // bf16 decode copies of whatever stays float (for the packed formats: the lm-head)
    if (base == "bf16") return f;
    f.quant = true;
    if (base == "q8") f.spec = {8, 64, rf::QuantMode::affine};
    else if (base == "q6") f.spec = {6, 64, rf::QuantMode::affine};
    else if (base == "q4") f.spec = {4, 64, rf::QuantMode::affine};
    else if (base == "mxfp4") f.spec = {4, 32, rf::QuantMode::mxfp4};
    else {
        std::fprintf(stderr, "unknown format '%s'\n", s.c_str());
        std::exit(2);
    }
    return f;
}

rf::DecodeOptions decode_options(const Format& f) {
    rf::DecodeOptions o;
    o.bf16_weights = f.bf16;
    if (f.lm_quant) o.lm_head_quant = f.spec;
    o.int8_activations = f.int8;
    return o;
}

double rel_err(const std::vector<float>& a, const std::vector<float>& b) {
    double d = 0, s = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        d = std::max(d, double(std::fabs(a[i] - b[i])));
        s = std::max(s, double(std::fabs(b[i])));
    }
    return d / std::max(s, 1e-30);
}

// (1a) quant_matmul at M = 1 against quant_matmul_naive (double sums)
double kernel_check(const rf::QuantizedMatrix& W) {
    rf::Rng r(3);
    std::vector<float> x(size_t(W.cols)), y(size_t(W.rows)), yn(size_t(W.rows));
    for (float& v : x) v = r.normal();
    rf::quant_matmul(y.data(), x.data(), W, 1, false, &rf::WorkerPool::global());
    rf::quant_matmul_naive(yn.data(), x.data(), W, 1, false);
    return rel_err(y, yn);
}

// (1b) decode log-probs against Model::forward: 6 prompt tokens + 3 decoded, batch 2
double decode_check(rf::Model& m, rf::ModelDecoder& dec) {
    const int V = m.config().vocab_size;
    rf::Rng r(1);
    std::vector<int> prompt;
    for (int i = 0; i < 6; ++i) prompt.push_back(int(r.below(uint32_t(V))));
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

rf::TokenBatch train_batch(int T, int V) {
    rf::Rng r(5);
    rf::TokenBatch b;
    b.B = 1;
    b.T = T;
    for (int i = 0; i < T; ++i) b.tokens.push_back(int32_t(r.below(uint32_t(V))));
    b.targets.assign(size_t(T), -1);
    for (int t = 0; t + 1 < T; ++t) b.targets[size_t(t)] = b.tokens[size_t(t) + 1];
    return b;
}

const rf::AdapterSpec kLora{.type = rf::FineTuneType::lora, .rank = 8, .scale = 20.0f, .dropout = 0.0f, .num_layers = -1, .keys = {}};

// (1c) a LoRA step on a packed 2-layer model against its dequantized float twin: logp and gradients
double train_check(const rf::QuantSpec& spec) {
    auto cfg = rf::ModelConfig::from_json_text(qwen3_json(2, 4096), "check");
    auto q = rf::Model::random_init(cfg, 3), f = rf::Model::random_init(cfg, 3);
    q->quantize_base(spec);
    f->quantize_base(spec);
    f->dequantize_base();
    double worst = 0;
    for (int T : {8, 64}) {  // the small-M kernels and the tiled-sgemm path
        q->set_finetune(kLora, 4);
        f->set_finetune(kLora, 4);
        for (size_t i = 0; i < q->params().size(); ++i) q->params()[i] = f->params()[i] = f->params()[i] + 0.01f;
        rf::TokenBatch b = train_batch(T, 4096);
        std::vector<float> lq(static_cast<size_t>(T)), lf(static_cast<size_t>(T)), e(static_cast<size_t>(T)), d(static_cast<size_t>(T), -1.0f / T);
        q->forward(b, 1.0f, true, lq.data(), e.data(), true);
        f->forward(b, 1.0f, true, lf.data(), e.data(), true);
        q->backward(d.data());
        f->backward(d.data());
        worst = std::max(worst, rel_err(lq, lf));
        worst = std::max(worst, rel_err({q->grads().begin(), q->grads().end()}, {f->grads().begin(), f->grads().end()}));
    }
    return worst;
}

// ---- 5. the weight GEMVs of one decode pass alone (no attention, norms, sampling) ----------------
// The 7 projections of `layers` Qwen3-0.6B blocks + the lm-head, random weights (random bf16 values;
// packed Q4 g64 with random codes and scales), x random, batch 1. Also two BF16 kernels written here
// to check that the BF16 baseline is not handicapped by its kernel: (b) decode_matmul's widen + FMA
// with software prefetch, (c) AVX512-BF16 vdpbf16ps (x rounded to bf16 too) with prefetch.

#if defined(__AVX512BF16__) && defined(__AVX512F__)
constexpr bool kHaveBf16Dot = true;
#else
constexpr bool kHaveBf16Dot = false;
#endif

// y[n] = W[n, :] . x for rows [n0, n1) (M = 1), 4 rows at a time; DOT: vdpbf16ps on (x as bf16)
template <bool DOT>
void bf16_rows(float* y, const float* x, const uint16_t* xb, const uint16_t* w, int K, long n0, long n1) {
#if defined(__AVX512BF16__) && defined(__AVX512F__)
    const long pf = std::max(4L, 16384L / (2L * K));
    long n = n0;
    for (; n < n1; n += 4) {
        const int R = int(std::min(4L, n1 - n));
        __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
        for (int k = 0; k < K; k += 32) {
            for (int i = 0; i < R; ++i) {
                const uint16_t* row = w + size_t(n + i) * K;
                _mm_prefetch(reinterpret_cast<const char*>(row + pf * K + k), _MM_HINT_T0);
                if constexpr (DOT) {
                    const __m512i wv = _mm512_loadu_si512(row + k);
                    const __m512i xv = _mm512_loadu_si512(xb + k);
                    acc[i] = _mm512_dpbf16_ps(acc[i], (__m512bh)wv, (__m512bh)xv);
                } else {
                    for (int h = 0; h < 2; ++h) {
                        const __m512 wf = _mm512_castsi512_ps(_mm512_slli_epi32(
                            _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + k + 16 * h))), 16));
                        acc[i] = _mm512_fmadd_ps(_mm512_loadu_ps(x + k + 16 * h), wf, acc[i]);
                    }
                }
            }
        }
        for (int i = 0; i < R; ++i) {
            alignas(64) float lanes[16];
            _mm512_store_ps(lanes, acc[i]);
            float t = 0;
            for (float v : lanes) t += v;
            y[n + i] = t;
        }
    }
#else
    (void)y, (void)x, (void)xb, (void)w, (void)K, (void)n0, (void)n1;
#endif
}

struct GemvSet {
    std::vector<rf::Bf16Matrix> bf16;
    std::vector<rf::QuantizedMatrix> q4;
};

GemvSet gemv_set(int layers) {
    const int shapes[7][2] = {{2048, 1024}, {1024, 1024}, {1024, 1024}, {1024, 2048}, {3072, 1024}, {3072, 1024}, {1024, 3072}};
    GemvSet s;
    uint64_t st = 0x9E3779B97F4A7C15ull;
    auto next = [&] { st ^= st << 13, st ^= st >> 7, st ^= st << 17; return st; };
    auto add = [&](int N, int K) {
        rf::Bf16Matrix b;
        b.N = N, b.K = K;
        b.data.resize(size_t(N) * K);
        for (auto& v : b.data) v = uint16_t(0x3C00 + (next() & 0x3FF)) ^ uint16_t(next() & 0x8000);  // |w| in [2^-7, 2^-6)
        s.bf16.push_back(std::move(b));
        rf::QuantizedMatrix q;
        q.spec = {4, 64, rf::QuantMode::affine};
        q.rows = N, q.cols = K;
        q.words.resize(size_t(N) * q.words_per_row());
        for (auto& v : q.words) v = uint32_t(next());
        q.scales.assign(size_t(N) * q.groups_per_row(), 1e-3f);
        q.biases.assign(size_t(N) * q.groups_per_row(), -8e-3f);
        s.q4.push_back(std::move(q));
    };
    for (int l = 0; l < layers; ++l)
        for (const auto& sh : shapes) add(sh[0], sh[1]);
    add(151936, 1024);
    return s;
}

// {ms wall, ms CPU time} per pass, best of `reps`
template <class F>
std::pair<double, double> time_pass(F&& pass, int reps) {
    pass();
    double best = 1e30, best_cpu = 1e30;
    for (int r = 0; r < reps; ++r) {
        auto t0 = Clock::now();
        const double c0 = cpu_now();
        pass();
        best = std::min(best, seconds_since(t0) * 1e3);
        best_cpu = std::min(best_cpu, (cpu_now() - c0) * 1e3 / rf::WorkerPool::global().size());
    }
    return {best, best_cpu};
}

void gemv_pass_bench(int layers, int reps, double cpu_bw) {
    rf::WorkerPool& pool = rf::WorkerPool::global();
    const GemvSet s = gemv_set(layers);
    std::vector<float> x(3072), y(151936);
    std::vector<uint16_t> xb(3072);
    rf::Rng r(9);
    for (float& v : x) v = r.normal();
    for (size_t i = 0; i < x.size(); ++i) xb[i] = rf::f32_to_bf16(x[i]);
    // validate the bench-local kernels on the first matrix
    {
        const rf::Bf16Matrix& b = s.bf16[0];
        std::vector<float> yn(size_t(b.N)), yw(size_t(b.N)), yd(size_t(b.N));
        rf::decode_matmul_naive(yn.data(), x.data(), b.view(), nullptr, 1, false);
        bf16_rows<false>(yw.data(), x.data(), xb.data(), b.data.data(), b.K, 0, b.N);
        bf16_rows<true>(yd.data(), x.data(), xb.data(), b.data.data(), b.K, 0, b.N);
        std::printf("GEMV pass: bench BF16 kernels vs naive: widen+FMA %.1e, vdpbf16ps %.1e (rel. to max |y|; x rounded to bf16)\n",
                    rel_err(yw, yn), rel_err(yd, yn));
    }
    size_t bf_bytes = 0, q_bytes = 0;
    for (size_t i = 0; i < s.bf16.size(); ++i) bf_bytes += s.bf16[i].view().bytes(), q_bytes += s.q4[i].bytes();
    auto report = [&](const char* name, size_t bytes, std::pair<double, double> t) {
        std::printf("  %-34s %6.3f GB  %7.1f ms wall  %7.1f ms CPU time  %5.1f GB/s CPU time (%3.0f%% of %.1f)\n", name, bytes / 1e9,
                    t.first, t.second, bytes / t.second / 1e6, 100 * bytes / t.second / 1e6 / (cpu_bw / 1e9), cpu_bw / 1e9);
    };
    std::printf("GEMV pass (%d layers x 7 projections + lm-head, batch 1, best of %d):\n", layers, reps);
    report("BF16 decode_matmul (engine)", bf_bytes, time_pass([&] {
               for (const auto& b : s.bf16) rf::decode_matmul(y.data(), x.data(), b.view(), nullptr, 1, false, pool);
           }, reps));
    if (kHaveBf16Dot) {
        for (bool dot : {false, true})
            report(dot ? "BF16 vdpbf16ps + prefetch (bench)" : "BF16 widen+FMA + prefetch (bench)", bf_bytes, time_pass([&] {
                       for (const auto& b : s.bf16)
                           pool.parallel_for(b.N, 16, [&](long n0, long n1) {
                               if (dot) bf16_rows<true>(y.data(), x.data(), xb.data(), b.data.data(), b.K, n0, n1);
                               else bf16_rows<false>(y.data(), x.data(), xb.data(), b.data.data(), b.K, n0, n1);
                           });
                   }, reps));
    }
    report("Q4 g64 quant_matmul (exact)", q_bytes, time_pass([&] {
               for (const auto& q : s.q4) rf::quant_matmul(y.data(), x.data(), q, 1, false, &pool);
           }, reps));
    report("Q4 g64 quant_matmul_int8", q_bytes, time_pass([&] {
               for (const auto& q : s.q4) rf::quant_matmul_int8(y.data(), x.data(), q, 1, false, &pool);
           }, reps));
}

struct Row {
    std::string name;
    double gb_per_token = 0, model_mb = 0, tok_s = 0, cpu_tok_s = 0, limit = 0, cpu_limit = 0, peak_mb = 0, err = 0;
};

}  // namespace

int main(int argc, char** argv) {
    rf::init_math_threads(argv);  // as the CLI and the GUI: FTZ/DAZ, the OpenBLAS kernel, threads that do not spin
    int layers = 28, steps = 16;
    bool train = true, gemv = false;
    int rounds = 3;
    std::string formats = "f32,bf16,q8,q4,mxfp4,q8+lm,q4+lm,mxfp4+lm";
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--layers" && i + 1 < argc) layers = std::atoi(argv[++i]);
        else if (a == "--steps" && i + 1 < argc) steps = std::atoi(argv[++i]);
        else if (a == "--formats" && i + 1 < argc) formats = argv[++i];
        else if (a == "--no-train") train = false;
        else if (a == "--gemv") gemv = true;
        else if (a == "--rounds" && i + 1 < argc) rounds = std::max(1, std::atoi(argv[++i]));
        else {
            std::fprintf(stderr, "usage: bench_quant_model [--layers N] [--steps N] [--rounds N] [--no-train] [--gemv] [--formats a,b,...]\n");
            return 2;
        }
    }
    rf::WorkerPool& pool = rf::WorkerPool::global();
    std::printf("bench_quant_model: Qwen3-0.6B shape with %d layers, random weights; %d worker threads; load %s\n",
                layers, pool.size(), load_average().c_str());
    const auto [bw, cpu_bw] = read_bandwidth(pool);
    std::printf("read-only bandwidth %.1f GB/s (CPU time: %.1f GB/s)\n\n", bw / 1e9, cpu_bw / 1e9);
    if (gemv) {  // only the GEMV pass (section 5)
        gemv_pass_bench(layers, 5, cpu_bw);
        std::printf("load average at the end: %s\n", load_average().c_str());
        return 0;
    }
    const auto cfg = rf::ModelConfig::from_json_text(qwen3_json(layers, 151936), "qwen3-0.6b-shape");
    const int V = cfg.vocab_size;

    // Setup and validation of every format first; formats on the same base share one model (its
    // decoders differ in lm-head copy / int8). Then `rounds` rounds over all formats, interleaved,
    // keeping each format's best: on a shared machine the load drifts within minutes, and
    // interleaving exposes every format to the same drift.
    struct Entry {
        Format f;
        rf::Model* m = nullptr;
        std::unique_ptr<rf::ModelDecoder> dec;
        Row row;
    };
    std::map<std::string, std::unique_ptr<rf::Model>> models;  // by base format
    std::vector<Entry> entries;
    std::stringstream fs(formats);
    for (std::string name; std::getline(fs, name, ',');) {
        Entry e;
        e.f = parse_format(name);
        const std::string key = e.f.quant ? rf::describe(e.f.spec) : "float";
        auto t0 = Clock::now();
        if (!models.count(key)) {
            models[key] = rf::Model::random_init(cfg, 1);
            if (e.f.quant) models[key]->quantize_base(e.f.spec);
        }
        e.m = models[key].get();
        e.dec = std::make_unique<rf::ModelDecoder>(*e.m, decode_options(e.f));
        const double setup = seconds_since(t0);
        if (e.f.quant) {
            const double k = kernel_check(*e.m->quantized(0, rf::Proj::q));
            if (k > 1e-4) {
                std::printf("FAILED: %s GEMV vs naive rel err %.2e\n", name.c_str(), k);
                return 1;
            }
        }
        e.row.name = name;
        e.row.err = decode_check(*e.m, *e.dec);
        // the forward reads the float weights the decode copies were rounded from (bf16: ~4e-3, see
        // bench_decode; a packed lm-head copy: its quantization error; int8 activations: ~1e-2);
        // float32 and packed projections read the same values on both sides
        const double tol = e.f.lm_quant ? 1.0 : e.f.bf16 || e.f.int8 ? 5e-2 : 1e-3;
        if (e.row.err > tol) {
            std::printf("FAILED: %s decode vs forward max |dlogp| %.2e\n", name.c_str(), e.row.err);
            return 1;
        }
        std::printf("%-11s setup %5.1f s  check: decode vs forward max |d log p| %.1e\n", name.c_str(), setup, e.row.err);
        std::fflush(stdout);
        entries.push_back(std::move(e));
    }
    for (int round = 0; round < rounds; ++round)
        for (Entry& e : entries) {
            rf::ModelDecoder& dec = *e.dec;
            rf::Rng r(7);
            std::vector<int> prompt;
            for (int i = 0; i < 32; ++i) prompt.push_back(int(r.below(uint32_t(V))));
            std::vector<float> logits;
            dec.prefill({prompt}, steps + 2, logits);
            dec.fork({0});
            dec.decode({0}, {int(r.below(uint32_t(V)))}, logits);  // warm-up
            auto t1 = Clock::now();
            const double c1 = cpu_now();
            for (int i = 0; i < steps; ++i) dec.decode({0}, {int(r.below(uint32_t(V)))}, logits);
            const double wall = seconds_since(t1), cpu = (cpu_now() - c1) / pool.size();
            Row& row = e.row;
            row.gb_per_token = double(dec.weight_bytes_per_pass()) / 1e9;
            row.model_mb = double(e.m->base_bytes()) / 1e6;
            row.tok_s = std::max(row.tok_s, steps / wall);
            row.cpu_tok_s = std::max(row.cpu_tok_s, steps / cpu);
            row.limit = bw / double(dec.weight_bytes_per_pass());
            row.cpu_limit = cpu_bw / double(dec.weight_bytes_per_pass());
            if (round + 1 == rounds)
                std::printf("%-11s %.3f GB/token  tok/s %6.2f (limit %6.2f, %3.0f%%)  CPU-time tok/s %6.2f (limit %6.2f, "
                            "%3.0f%%)  base %6.0f MB\n",
                            row.name.c_str(), row.gb_per_token, row.tok_s, row.limit, 100 * row.tok_s / row.limit,
                            row.cpu_tok_s, row.cpu_limit, 100 * row.cpu_tok_s / row.cpu_limit, row.model_mb);
        }
    std::printf("(best of %d interleaved rounds of %d tokens; load now %s)\n", rounds, steps, load_average().c_str());
    std::vector<Row> rows;
    for (const Entry& e : entries) rows.push_back(e.row);
    auto find = [&](const std::string& n) -> const Row* {
        for (const Row& r : rows)
            if (r.name == n) return &r;
        return nullptr;
    };
    std::printf("\n");
    for (const char* n : {"q4+lm+i8", "q4+lm", "q4+i8", "q4", "mxfp4+lm+i8", "mxfp4+lm"})
        if (const Row *q = find(n), *b = find("bf16"); q && b)
            std::printf("%-11s / BF16 decode at batch 1: %.2fx wall, %.2fx CPU time (target for Q4 >= 2.5x)\n", n,
                        q->tok_s / b->tok_s, q->cpu_tok_s / b->cpu_tok_s);

    if (train) {
        const double err = std::max(train_check({4, 64, rf::QuantMode::affine}), train_check({4, 32, rf::QuantMode::mxfp4}));
        std::printf("\nLoRA step check (2 layers, packed vs dequantized float, Q4 and MXFP4): max rel err %.1e\n", err);
        if (err > 1e-4) {
            std::printf("FAILED: LoRA step on the packed base differs from the dequantized base\n");
            return 1;
        }
        const int T = 256;
        rf::TokenBatch b = train_batch(T, V);
        for (std::string name : {"f32", "f32/bf16", "q8", "q8/bf16", "q4", "q4/bf16", "mxfp4"}) {
            const bool bf16 = name.size() > 5 && name.substr(name.size() - 5) == "/bf16";
            const Format f = parse_format(bf16 ? name.substr(0, name.size() - 5) : name);
            auto m = rf::Model::random_init(cfg, 1);
            if (f.quant) m->quantize_base(f.spec, rf::DType::BF16);  // as a bf16 checkpoint is quantized at load
            m->set_finetune(kLora, 2);
            if (bf16 && !m->set_bf16_compute(true)) continue;  // compute_dtype bfloat16 (no bf16 GEMM here: skipped)
            reset_peak_rss();
            std::vector<float> lp(static_cast<size_t>(T)), en(static_cast<size_t>(T)), d(static_cast<size_t>(T), -1.0f / T);
            std::vector<double> wall, cpu;
            for (int s = 0; s < 3; ++s) {  // the first step warms up
                m->zero_grad();
                auto t0 = Clock::now();
                const double c0 = cpu_now();
                m->forward(b, 1.0f, true, lp.data(), en.data(), true);
                m->backward(d.data());
                if (s > 0) wall.push_back(seconds_since(t0)), cpu.push_back(cpu_now() - c0);
            }
            const double w = *std::min_element(wall.begin(), wall.end()), c = *std::min_element(cpu.begin(), cpu.end());
            std::printf("LoRA step T=%d on %-6s base: %.2f s wall (%.1f tok/s), %.2f CPU-s (%.1f tok per CPU-s); "
                        "base %.0f MB, peak RSS %.0f MB\n",
                        T, name.c_str(), w, T / w, c, T / c, m->base_bytes() / 1e6, status_mb("VmHWM:"));
            std::fflush(stdout);
        }
    }
    std::printf("load average at the end: %s\n", load_average().c_str());
    return 0;
}
