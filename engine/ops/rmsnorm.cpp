#include "ops/rmsnorm.h"

#include <cmath>
#include <vector>

#include "core/worker_pool.h"
#include "ops/vec_math.h"

namespace rf {

// Per row x (C):  r = 1 / sqrt(mean_i(x_i^2) + eps),   y_i = w_i * (x_i * r)
// eps is a float (HF adds the Python float to an fp32 tensor, so it is rounded to fp32).
// reference: transformers/models/llama/modeling_llama.py LlamaRMSNorm
template <class S>
void rmsnorm_forward(S* out, S* rstd, const S* inp, const S* weight, long N, int C, float eps) {
    parallel_rows(N, double(N) * C, [&](long n0, long n1) {
        for (long n = n0; n < n1; ++n) {
            const S* x = inp + n * C;
            S* y = out + n * C;
            S r = S(1) / std::sqrt(vdot(x, x, C) / S(C) + S(eps));
            for (int i = 0; i < C; ++i) y[i] = weight[i] * (x[i] * r);
            rstd[n] = r;
        }
    });
}

// With g_i = w_i * dy_i:
//   dw_i += dy_i * x_i * r
//   dx_i += r * g_i - (r^3 / C) * x_i * sum_j g_j x_j
// (d r / d x_i = -r^3 x_i / C)
// (rows split over the worker pool; with dweight, whose sum runs over all rows, on one thread)
template <class S>
void rmsnorm_backward(S* dinp, S* dweight, const S* dout, const S* inp, const S* weight, const S* rstd, long N, int C) {
    parallel_rows(N, dweight ? 0.0 : double(N) * C, [&](long n0, long n1) {
        std::vector<S> g(C);
        for (long n = n0; n < n1; ++n) {
            const S* x = inp + n * C;
            const S* dy = dout + n * C;
            S r = rstd[n];
            if (dweight)
                for (int i = 0; i < C; ++i) dweight[i] += dy[i] * x[i] * r;
            if (!dinp) continue;
            for (int i = 0; i < C; ++i) g[i] = weight[i] * dy[i];
            S c = r * r * r * vdot(g.data(), x, C) / S(C);
            S* dx = dinp + n * C;
            for (int i = 0; i < C; ++i) dx[i] += r * g[i] - c * x[i];
        }
    });
}

template void rmsnorm_forward<float>(float*, float*, const float*, const float*, long, int, float);
template void rmsnorm_forward<double>(double*, double*, const double*, const double*, long, int, float);
template void rmsnorm_backward<float>(float*, float*, const float*, const float*, const float*, const float*, long,
                                      int);
template void rmsnorm_backward<double>(double*, double*, const double*, const double*, const double*, const double*,
                                       long, int);

}  // namespace rf
