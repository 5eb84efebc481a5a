// bfloat16 compute for frozen float32 matrices (compute_dtype: bfloat16, docs/algorithms.md
// "Compute precision"). A frozen weight W (the base of a LoRA/DoRA run, the reference model, the
// lm-head) may be given a bfloat16 *twin*: a copy rounded to nearest even, registered here by the
// address range of the float32 original. gemm<float> (gemm.h) looks its B operand up: when B lies
// inside a registered range (with the range's row stride), the product runs on the CPU's bf16 units
// through oneDNN (AVX512_BF16 / AMX): A is rounded to bf16 on the fly, the sums and C stay float32.
// Everything else — adapters, gradients of trainable tensors, attention, norms, softmax, the loss,
// the optimizer — never touches bf16. Ranges are process-wide (a policy, a reference and a judge
// model each register their own) and must be unregistered before the float storage goes away.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rf {

// True when this build has oneDNN and the CPU has native bf16 dot products (AVX512_BF16 or AMX).
bool bf16_gemm_available();
// "oneDNN 2.6.3 (avx512_core_amx)" or why bf16 compute is unavailable.
std::string bf16_gemm_description();

// Owns twins of several float32 matrices and keeps them registered while alive.
class Bf16Twins {
public:
    Bf16Twins() = default;
    Bf16Twins(const Bf16Twins&) = delete;
    Bf16Twins& operator=(const Bf16Twins&) = delete;
    ~Bf16Twins() { clear(); }
    // Twin of the row-major (rows, cols) matrix at w (rows stride cols). w must stay valid and
    // unchanged until clear() or destruction.
    void add(const float* w, long rows, long cols);
    void clear();
    bool empty() const { return m_items.empty(); }
    size_t bytes() const;

private:
    struct Item {
        const float* w;
        long rows, cols;
        std::vector<uint16_t> data;
    };
    std::vector<Item> m_items;
};

// The bf16 twin of the operand at B with row stride ldb, or nullptr (no twin, or a different stride).
const uint16_t* find_bf16_twin(const float* B, int ldb);

// C (M,N) = alpha * op(A) * op(B16) + beta * C with A float32 (rounded to bf16 here), B16 bfloat16;
// layouts as gemm(), except that A is never transposed. Returns false (nothing written) when oneDNN
// cannot run this product (or trans_a); the caller then uses the float32 path.
bool gemm_bf16(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
               const uint16_t* B16, int ldb, float beta, float* C, int ldc, int threads);

// float -> bfloat16, round to nearest even (NaN stays NaN).
void to_bf16(uint16_t* dst, const float* src, size_t n);

}  // namespace rf
