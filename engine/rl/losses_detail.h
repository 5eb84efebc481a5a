// Internal to engine/rl/losses*.cpp.
#pragma once
#include "core/error.h"
#include "rl/losses.h"

namespace rf::loss_detail {

template <class S>
void check_batch(const LossBatch<S>& b, bool need_ref) {
    const size_t n = size_t(b.N) * size_t(b.T);
    RF_CHECK(b.N > 0 && b.T > 0, "loss: empty batch");
    RF_CHECK(b.logp.size() == n && b.mask.size() == n, "loss: logp/mask are not N x T");
    RF_CHECK(b.old_logp.empty() || b.old_logp.size() == n, "loss: old_logp is not N x T");
    RF_CHECK(b.ref_logp.empty() || b.ref_logp.size() == n, "loss: ref_logp is not N x T");
    RF_CHECK(!need_ref || !b.ref_logp.empty(), "loss: this configuration needs the reference log-probs");
}

}  // namespace rf::loss_detail
