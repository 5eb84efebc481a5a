// Rotary position embedding in Hugging Face's rotate_half ("NeoX") layout: dimension i is paired
// with i + HS/2. inv_freq and the angles p * inv_freq are computed in fp32 as transformers does, so
// positions far from 0 get the same (fp32-rounded) angles as the reference.
#pragma once
#include <string>
#include <vector>

namespace rf {

// config.json's rope_scaling (ModelConfig::rope_scaling).
struct RopeScaling {
    std::string rope_type = "default";  // "default" | "llama3" (others are refused with a clear error)
    float factor = 1.0f;
    float low_freq_factor = 1.0f;
    float high_freq_factor = 4.0f;
    int original_max_position_embeddings = 8192;
};


// inv_freq (HS/2): 1 / theta^(2i/HS) in fp32, then the rope_scaling rule ("default" or "llama3").
// Throws InputError for other rope types.
std::vector<float> rope_inv_freq(int HS, float theta, const RopeScaling& scaling);

// cos, sin (T, HS/2) for positions 0..T-1: angle = float(p) * inv_freq[i] rounded to fp32.
template <class S>
void rope_table(S* cos, S* sin, const std::vector<float>& inv_freq, int T);

// x (B,T,H,HS) rotated per head at its position t: out may alias inp.
template <class S>
void rope_forward(S* out, const S* inp, const S* cos, const S* sin, int B, int T, int H, int HS);
// dinp (B,T,H,HS) += R^T dout (the inverse rotation); dinp must not alias dout.
template <class S>
void rope_backward(S* dinp, const S* dout, const S* cos, const S* sin, int B, int T, int H, int HS);

}  // namespace rf
