#include "ops/gemm_bf16.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <shared_mutex>

#include "core/cpu_features.h"
#include "core/worker_pool.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#if REINFORGE_HAVE_DNNL
#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace rf {

namespace {

struct Range {
    const float* begin;
    const float* end;
    int ld;
    const uint16_t* twin;
};
std::shared_mutex g_mutex;
std::vector<Range> g_ranges;

}  // namespace

void to_bf16(uint16_t* dst, const float* src, size_t n) {
    size_t i = 0;
#if defined(__AVX512BF16__)
    // vcvtneps2bf16: the same round-to-nearest-even (NaN stays NaN); float32 denormals become a signed
    // zero, as the math threads' FTZ/DAZ mode treats them anyway
    if (cpu_features().avx512_bf16)
        for (; i + 16 <= n; i += 16) {
            __m256bh h = _mm512_cvtneps_pbh(_mm512_loadu_ps(src + i));
            std::memcpy(dst + i, &h, 32);
        }
#endif
    for (; i < n; ++i) {
        uint32_t u;
        std::memcpy(&u, &src[i], 4);
        if ((u & 0x7fffffffu) > 0x7f800000u) dst[i] = uint16_t((u >> 16) | 0x40);  // quiet NaN
        else dst[i] = uint16_t((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
    }
}

void Bf16Twins::add(const float* w, long rows, long cols) {
    Item it{w, rows, cols, std::vector<uint16_t>(size_t(rows) * size_t(cols))};
    to_bf16(it.data.data(), w, it.data.size());
    std::unique_lock lock(g_mutex);
    g_ranges.push_back(Range{w, w + size_t(rows) * size_t(cols), int(cols), it.data.data()});
    m_items.push_back(std::move(it));  // the vector's buffer does not move with the Item
}

void Bf16Twins::clear() {
    std::unique_lock lock(g_mutex);
    for (const Item& it : m_items)
        std::erase_if(g_ranges, [&](const Range& r) { return r.twin == it.data.data(); });
    m_items.clear();
}

size_t Bf16Twins::bytes() const {
    size_t b = 0;
    for (const Item& it : m_items) b += it.data.size() * 2;
    return b;
}

const uint16_t* find_bf16_twin(const float* B, int ldb) {
    std::shared_lock lock(g_mutex);
    for (const Range& r : g_ranges)
        if (B >= r.begin && B < r.end && ldb == r.ld) return r.twin + (B - r.begin);
    return nullptr;
}

#if REINFORGE_HAVE_DNNL

bool bf16_gemm_available() {
    static const bool ok = [] {
        if (!cpu_features().native_bf16()) return false;
        try {
            dnnl::engine eng(dnnl::engine::kind::cpu, 0);
            return true;
        } catch (...) {
            return false;
        }
    }();
    return ok;
}

std::string bf16_gemm_description() {
    const dnnl_version_t* v = dnnl_version();
    std::string s = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
    if (!cpu_features().native_bf16()) return s + " (bf16 compute off: the CPU has no AVX512_BF16 or AMX)";
    const CpuFeatures& c = cpu_features();
    return s + (c.amx_bf16 ? " (AMX-BF16)" : " (AVX512_BF16)");
}

namespace {

using dnnl::memory;

struct Dnnl {
    dnnl::engine eng{dnnl::engine::kind::cpu, 0};
    dnnl::stream strm{eng};
    std::vector<uint16_t> a16;  // A rounded to bf16
};

Dnnl& dnnl_state() {
    thread_local Dnnl d;
    return d;
}

}  // namespace

bool gemm_bf16(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
               const uint16_t* B16, int ldb, float beta, float* C, int ldc, int threads) {
    if (trans_a || !bf16_gemm_available()) return false;  // every twin product has A as stored
    try {
        Dnnl& d = dnnl_state();
        // A (M,K) rounded to bf16 with a dense stride (the rounding is a copy anyway)
        d.a16.resize(size_t(M) * K);
        uint16_t* a16 = d.a16.data();
        parallel_rows(M, double(M) * K, [&](long i0, long i1) {
            for (long i = i0; i < i1; ++i) to_bf16(a16 + size_t(i) * K, A + size_t(i) * lda, K);
        });
        const memory::dims a_dims{M, K}, b_dims{K, N}, c_dims{M, N};
        memory::desc ad(a_dims, memory::data_type::bf16, memory::dims{K, 1});
        // B logical (K,N): stored (K,N) with stride ldb, or transposed (N,K) with stride ldb
        memory::desc bd(b_dims, memory::data_type::bf16, trans_b ? memory::dims{1, ldb} : memory::dims{ldb, 1});
        memory::desc cd(c_dims, memory::data_type::f32, memory::dims{ldc, 1});
        dnnl::primitive_attr attr;
        dnnl::post_ops po;
        if (beta != 0.0f) po.append_sum(beta);
        attr.set_post_ops(po);
        if (alpha != 1.0f) attr.set_output_scales(0, {alpha});
        dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(ad, bd, cd), attr, d.eng);
        dnnl::matmul mm(pd);  // oneDNN's primitive cache makes the repeat creation cheap
        memory am(ad, d.eng, d.a16.data());
        memory bm(bd, d.eng, const_cast<uint16_t*>(B16));
        memory cm(cd, d.eng, C);
        // the worker pool's threads, spinning after the last element-wise pass, would hold the
        // second core from oneDNN's OpenMP thread (engine/core/worker_pool.h park())
        WorkerPool::global().park();
        const int before = omp_get_max_threads();
        if (threads != before) omp_set_num_threads(threads);
        mm.execute(d.strm, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
        d.strm.wait();
        if (threads != before) omp_set_num_threads(before);
        return true;
    } catch (const dnnl::error&) {
        return false;
    }
}

#else

bool bf16_gemm_available() {
    return false;
}
std::string bf16_gemm_description() {
    return "bf16 compute off: built without oneDNN (Debian libdnnl-dev)";
}
bool gemm_bf16(bool, bool, int, int, int, float, const float*, int, const uint16_t*, int, float, float*, int, int) {
    return false;
}

#endif

}  // namespace rf
