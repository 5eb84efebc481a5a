// SwiGLU gate of the Llama/Qwen MLP: act = silu(gate) * up (then down_proj).
#pragma once

namespace rf {

// out, gate, up (N) with N = BT * I.
template <class S>
void swiglu_forward(S* out, const S* gate, const S* up, long N);
// dgate, dup (N) += ...; dout (N).
template <class S>
void swiglu_backward(S* dgate, S* dup, const S* dout, const S* gate, const S* up, long N);

}  // namespace rf
