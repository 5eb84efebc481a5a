// Token embedding lookup.
#pragma once
#include <cstdint>

namespace rf {

// out (BT,C) = wte[tokens] ; tokens (BT) in [0,V), wte (V,C). Token ids are validated by the caller.
template <class S>
void embedding_forward(S* out, const int32_t* tokens, const S* wte, long BT, int C);
// dwte (V,C) += scatter-add of dout (BT,C) to the rows named by tokens.
template <class S>
void embedding_backward(S* dwte, const S* dout, const int32_t* tokens, long BT, int C);

}  // namespace rf
