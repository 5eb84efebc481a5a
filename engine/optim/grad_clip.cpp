#include "optim/grad_clip.h"

#include <cmath>

namespace rf {

double global_norm(std::span<const float> grads) {
    double s = 0.0;
    for (float g : grads) s += double(g) * double(g);
    return std::sqrt(s);
}

double clip_grad_norm(std::span<float> grads, double max_grad_norm) {
    const double norm = global_norm(grads);
    if (!std::isfinite(norm) || max_grad_norm <= 0.0 || norm <= max_grad_norm) return norm;
    const float scale = float(max_grad_norm / (norm + 1e-6));
    for (float& g : grads) g *= scale;
    return norm;
}

}  // namespace rf
