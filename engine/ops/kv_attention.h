// Decode attention over a KV cache, for the query heads of several sequences that share one kv head
// and one cached prompt (the prefix) and each have their own cached completion so far:
//
//   row r = (sequence s, query head g of this kv head), q_r (HS)
//   s_rt = scale * q_r . k_t     for t over the shared prefix, then over sequence s's own positions
//   p_r  = softmax_t(s_r)        (fp32, max-subtracted, as transformers' eager attention)
//   o_r  = sum_t p_rt v_t
//
// Every prefix K/V row is read once for all rows of all sequences (the group shares its prompt), and
// each own row once for that sequence's G heads. reference: transformers eager_attention_forward with
// repeat_kv (query head h reads kv head h / (NH / KVH)).
#pragma once
#include <vector>

namespace rf {

// `n` cached positions, row t of K at k + t * HS, of V at v + t * HS.
struct KvSpan {
    const float* k = nullptr;
    const float* v = nullptr;
    int n = 0;
};

// S sequences x G heads: q_rows[s * G + g] / out_rows[s * G + g] point at HS floats. own[s] is
// sequence s's own span (it includes the token being decoded). scratch is resized as needed.
void kv_attention(float* const* out_rows, const float* const* q_rows, int S, int G, int HS, const KvSpan& shared,
                  const KvSpan* own, float scale, std::vector<float>& scratch);
// Plain-loop twin (double sums).
void kv_attention_naive(float* const* out_rows, const float* const* q_rows, int S, int G, int HS,
                        const KvSpan& shared, const KvSpan* own, float scale);

}  // namespace rf
