// Small-M matmuls for decoding: y (M,N) = x (M,K) . W (N,K)^T (+ bias), M = the number of sequences
// decoded together (1..8 per pass; larger M runs in passes of 8). Decode is bound by reading W, so
// each weight row is streamed once per pass and dotted with all M rows of x (which stay in L1/L2).
// sgemm is a poor fit here (engine-formats-and-limits.md §4.2: 2-16 GFLOP/s at M=1).
//
// W is either float32 (the model's own weights, no copy) or bfloat16 (a decode copy: half the bytes,
// so about twice the tokens/s; each weight rounded to nearest-even, x and the sums stay float32).
// Rows are split over the WorkerPool.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rf {

class WorkerPool;

// A read-only weight matrix [N, K] in one of the decode storage types.
struct DecodeWeight {
    const float* f32 = nullptr;     // one of f32 / bf16 is set
    const uint16_t* bf16 = nullptr;
    int N = 0, K = 0;
    size_t bytes() const { return size_t(N) * size_t(K) * (bf16 ? 2u : 4u); }
};

// A bfloat16 copy of a float32 matrix (round to nearest even).
struct Bf16Matrix {
    std::vector<uint16_t> data;
    int N = 0, K = 0;
    void assign(const float* w, int N, int K);
    DecodeWeight view() const { return DecodeWeight{nullptr, data.data(), N, K}; }
};

// y (M,N) = x (M,K) . W^T + bias (N, may be nullptr); y is overwritten (accumulate = false) or added to.
void decode_matmul(float* y, const float* x, const DecodeWeight& w, const float* bias, int M, bool accumulate,
                   WorkerPool& pool);
// The same product with x rounded to bf16 as well (round to nearest even) and AVX512_BF16 dot products
// (vdpbf16ps: bf16 pairs multiplied exactly, summed in float32) — a candidate decode kernel for bf16
// weights, measured against decode_matmul in bench/bench_decode_dot.cpp. Needs w.bf16 and
// decode_bf16_dot_available() (built with AVX512_BF16 and the CPU has it).
bool decode_bf16_dot_available();
void decode_matmul_bf16_dot(float* y, const float* x, const DecodeWeight& w, const float* bias, int M, bool accumulate,
                            WorkerPool& pool);
// The same product on AMX-BF16 tiles (decode_amx.cpp): x rounded to bf16, W read as 16-row tiles,
// float32 sums. Needs w.bf16, M <= 16, K % 32 == 0, N % 16 == 0 and decode_amx_available() (the CPU
// has AMX-BF16 and Linux granted this process the tile state).
bool decode_amx_available();
void decode_matmul_amx(float* y, const float* x, const DecodeWeight& w, const float* bias, int M, bool accumulate,
                       WorkerPool& pool);
// The decode product of a model that computes in bf16 (W its own bf16 twin, compute_dtype bfloat16):
// where decode_matmul_amx runs (bf16 W, K % 32 == 0, N % 16 == 0, AMX), x is rounded to bf16 as the
// training forward's bf16 products round it, for every M (so a sequence's numbers do not depend on
// the batch); elsewhere decode_matmul.
void decode_matmul_bf16_compute(float* y, const float* x, const DecodeWeight& w, const float* bias, int M,
                                bool accumulate, WorkerPool& pool);
// The plain-loop twin (double sums), for tests and bench validation.
void decode_matmul_naive(float* y, const float* x, const DecodeWeight& w, const float* bias, int M, bool accumulate);

}  // namespace rf
