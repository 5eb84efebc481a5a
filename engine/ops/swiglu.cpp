#include "ops/swiglu.h"

#include "core/worker_pool.h"
#include "ops/vec_math.h"

namespace rf {

// a = silu(g) * u,  silu(g) = g * sigmoid(g)
// da/du = silu(g);  da/dg = u * sigmoid(g) * (1 + g * (1 - sigmoid(g)))
// (elements split over the worker pool)
// reference: transformers LlamaMLP (act_fn = SiLU), https://pytorch.org/docs/stable/generated/torch.nn.SiLU.html
template <class S>
void swiglu_forward(S* out, const S* gate, const S* up, long N) {
    parallel_rows(N, double(N), [&](long i0, long i1) {
        for (long i = i0; i < i1; ++i) {
            S g = gate[i];
            out[i] = g * sigmoid(g) * up[i];
        }
    });
}

template <class S>
void swiglu_backward(S* dgate, S* dup, const S* dout, const S* gate, const S* up, long N) {
    parallel_rows(N, double(N), [&](long i0, long i1) {
        for (long i = i0; i < i1; ++i) {
            S g = gate[i], s = sigmoid(g);
            dup[i] += dout[i] * g * s;
            dgate[i] += dout[i] * up[i] * s * (S(1) + g * (S(1) - s));
        }
    });
}

template void swiglu_forward<float>(float*, const float*, const float*, long);
template void swiglu_forward<double>(double*, const double*, const double*, long);
template void swiglu_backward<float>(float*, float*, const float*, const float*, const float*, long);
template void swiglu_backward<double>(double*, double*, const double*, const double*, const double*, long);

}  // namespace rf
