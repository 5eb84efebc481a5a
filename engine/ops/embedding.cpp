#include "ops/embedding.h"

#include <cstring>

namespace rf {

// out[t,:] = wte[tokens[t],:]
// gradient: dwte[tokens[t],:] += dout[t,:]   (rows hit several times accumulate)
// reference: https://pytorch.org/docs/stable/generated/torch.nn.Embedding.html
template <class S>
void embedding_forward(S* out, const int32_t* tokens, const S* wte, long BT, int C) {
    for (long t = 0; t < BT; ++t) std::memcpy(out + t * C, wte + (long)tokens[t] * C, sizeof(S) * C);
}

template <class S>
void embedding_backward(S* dwte, const S* dout, const int32_t* tokens, long BT, int C) {
    for (long t = 0; t < BT; ++t) {
        S* d = dwte + (long)tokens[t] * C;
        const S* g = dout + t * C;
        for (int i = 0; i < C; ++i) d[i] += g[i];
    }
}

template void embedding_forward<float>(float*, const int32_t*, const float*, long, int);
template void embedding_forward<double>(double*, const int32_t*, const double*, long, int);
template void embedding_backward<float>(float*, const float*, const int32_t*, long, int);
template void embedding_backward<double>(double*, const double*, const int32_t*, long, int);

}  // namespace rf
