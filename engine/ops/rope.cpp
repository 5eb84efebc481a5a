#include "ops/rope.h"

#include <cmath>

#include "core/error.h"
#include "core/worker_pool.h"

namespace rf {

// inv_freq[i] = 1 / theta^(float(2i) / HS)  (fp32, as transformers' _compute_default_rope_parameters)
// llama3 (transformers' _compute_llama3_parameters), with wavelen = 2 pi / inv_freq:
//   wavelen > orig / low_freq_factor   -> inv_freq / factor
//   wavelen < orig / high_freq_factor  -> inv_freq
//   otherwise smooth = (orig / wavelen - low) / (high - low);  (1 - smooth) * inv / factor + smooth * inv
// reference: transformers/modeling_rope_utils.py
std::vector<float> rope_inv_freq(int HS, float theta, const RopeScaling& scaling) {
    RF_CHECK(HS > 0 && HS % 2 == 0, "rope: head_dim must be even");
    std::vector<float> inv(HS / 2);
    for (int i = 0; i < HS / 2; ++i) {
        float e = float(2 * i) / float(HS);
        inv[i] = 1.0f / std::pow(theta, e);
    }
    if (scaling.rope_type == "default" || scaling.rope_type.empty()) return inv;
    if (scaling.rope_type != "llama3")
        throw InputError("config.json", 0, "rope_scaling", "unsupported rope type '" + scaling.rope_type + "'",
                         "supported: default, llama3");
    const float factor = scaling.factor, low = scaling.low_freq_factor, high = scaling.high_freq_factor;
    const float orig = float(scaling.original_max_position_embeddings);
    const float low_wavelen = orig / low, high_wavelen = orig / high;
    for (float& f : inv) {
        float wavelen = float(2.0 * M_PI) / f;
        float scaled = wavelen > low_wavelen ? f / factor : f;
        if (!(wavelen < high_wavelen) && !(wavelen > low_wavelen)) {
            float smooth = (orig / wavelen - low) / (high - low);
            scaled = (1.0f - smooth) * scaled / factor + smooth * scaled;
        }
        f = scaled;
    }
    return inv;
}

template <class S>
void rope_table(S* cos, S* sin, const std::vector<float>& inv_freq, int T) {
    const int half = int(inv_freq.size());
    for (int t = 0; t < T; ++t)
        for (int i = 0; i < half; ++i) {
            float angle = float(t) * inv_freq[i];  // fp32 product, as HF's fp32 matmul of position x inv_freq
            cos[(long)t * half + i] = S(std::cos(double(angle)));
            sin[(long)t * half + i] = S(std::sin(double(angle)));
        }
}

// For i < HS/2, with c = cos[t,i], s = sin[t,i]:
//   y[i]        = x[i] c - x[i+HS/2] s
//   y[i+HS/2]   = x[i+HS/2] c + x[i] s
// gradient (R is a rotation, so R^T):
//   dx[i]      += dy[i] c + dy[i+HS/2] s
//   dx[i+HS/2] += dy[i+HS/2] c - dy[i] s
// (rows b, t split over the worker pool)
// reference: transformers apply_rotary_pos_emb / rotate_half
template <class S>
void rope_forward(S* out, const S* inp, const S* cos, const S* sin, int B, int T, int H, int HS) {
    const int half = HS / 2;
    parallel_rows((long)B * T, double(B) * T * H * HS, [&](long bt0, long bt1) {
        for (long bt = bt0; bt < bt1; ++bt) {
            const long t = bt % T;
            const S* c = cos + t * half;
            const S* s = sin + t * half;
            for (int h = 0; h < H; ++h) {
                long off = (bt * H + h) * HS;
                const S* x = inp + off;
                S* y = out + off;
                for (int i = 0; i < half; ++i) {
                    S x0 = x[i], x1 = x[i + half];
                    y[i] = x0 * c[i] - x1 * s[i];
                    y[i + half] = x1 * c[i] + x0 * s[i];
                }
            }
        }
    });
}

template <class S>
void rope_backward(S* dinp, const S* dout, const S* cos, const S* sin, int B, int T, int H, int HS) {
    const int half = HS / 2;
    parallel_rows((long)B * T, double(B) * T * H * HS, [&](long bt0, long bt1) {
        for (long bt = bt0; bt < bt1; ++bt) {
            const long t = bt % T;
            const S* c = cos + t * half;
            const S* s = sin + t * half;
            for (int h = 0; h < H; ++h) {
                long off = (bt * H + h) * HS;
                const S* dy = dout + off;
                S* dx = dinp + off;
                for (int i = 0; i < half; ++i) {
                    S d0 = dy[i], d1 = dy[i + half];
                    dx[i] += d0 * c[i] + d1 * s[i];
                    dx[i + half] += d1 * c[i] - d0 * s[i];
                }
            }
        }
    });
}

template void rope_table<float>(float*, float*, const std::vector<float>&, int);
template void rope_table<double>(double*, double*, const std::vector<float>&, int);
template void rope_forward<float>(float*, const float*, const float*, const float*, int, int, int, int);
template void rope_forward<double>(double*, const double*, const double*, const double*, int, int, int, int);
template void rope_backward<float>(float*, const float*, const float*, const float*, int, int, int, int);
template void rope_backward<double>(double*, const double*, const double*, const double*, int, int, int, int);

}  // namespace rf
