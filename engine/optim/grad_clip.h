// Gradient clipping by global norm (`max_grad_norm`, SPEC §6) over the one trainable gradient buffer.
#pragma once
#include <span>

namespace rf {

// Global L2 norm of `grads`, accumulated in double.
double global_norm(std::span<const float> grads);

// Clips `grads` in place to global norm `max_grad_norm` and returns the norm BEFORE clipping (the
// `grad_norm` metric):
//   n = ||g||_2;  if max_grad_norm > 0 and n > max_grad_norm:  g <- g * max_grad_norm / (n + 1e-6)
// max_grad_norm <= 0 disables clipping (the norm is still returned). A non-finite norm leaves the
// gradients untouched: the caller stops the step (SPEC §15) instead of applying NaNs.
// reference: mlx.optimizers.clip_grad_norm; torch.nn.utils.clip_grad_norm_ (same 1e-6 guard)
double clip_grad_norm(std::span<float> grads, double max_grad_norm);

}  // namespace rf
