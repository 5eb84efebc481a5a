#include "data/epoch_sampler.h"

#include <numeric>

#include "core/error.h"
#include "core/rng.h"

namespace rf {

std::string DataPosition::to_string() const { return std::to_string(epoch) + ":" + std::to_string(index); }

DataPosition DataPosition::parse(const std::string& s, const std::string& where) {
    size_t colon = s.find(':');
    auto num = [&](const std::string& part) {
        if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos || part.size() > 19)
            throw InputError(where, 0, "data_position", "expected EPOCH:INDEX, got '" + s + "'");
        return std::stoull(part);
    };
    if (colon == std::string::npos) throw InputError(where, 0, "data_position", "expected EPOCH:INDEX, got '" + s + "'");
    return {num(s.substr(0, colon)), num(s.substr(colon + 1))};
}

EpochSampler::EpochSampler(size_t size, uint64_t seed, bool shuffle) : m_size(size), m_seed(seed), m_shuffle(shuffle) {
    m_order = order(0);
}

// Fisher-Yates with the engine's PCG32, one stream per epoch:
//   for i = n-1 .. 1: j = below(i + 1); swap(order[i], order[j])
// so epoch e's order depends only on (seed, e) and a resume recomputes it exactly.
// reference: Knuth, TAOCP vol. 2, Algorithm P
std::vector<size_t> EpochSampler::order(uint64_t epoch) const {
    std::vector<size_t> o(m_size);
    std::iota(o.begin(), o.end(), size_t(0));
    if (!m_shuffle || m_size < 2) return o;
    RF_CHECK(m_size <= UINT32_MAX, "dataset too large for the sampler");
    Rng rng(m_seed, 0x5eed0000ULL + epoch);
    for (size_t i = m_size - 1; i > 0; --i) std::swap(o[i], o[rng.below(uint32_t(i + 1))]);
    return o;
}

size_t EpochSampler::next() {
    RF_CHECK(m_size > 0, "sampling from an empty dataset");
    if (m_pos.index >= m_size) {
        ++m_pos.epoch;
        m_pos.index = 0;
        m_order = order(m_pos.epoch);
    }
    return m_order[size_t(m_pos.index++)];
}

std::vector<size_t> EpochSampler::next_batch(size_t n) {
    std::vector<size_t> out;
    out.reserve(n);
    for (size_t k = 0; k < n; ++k) out.push_back(next());
    return out;
}

void EpochSampler::restore(const DataPosition& pos) {
    if (pos.index > m_size)
        throw InputError({}, 0, "data_position",
                         "position " + pos.to_string() + " is past the end of a dataset of " + std::to_string(m_size) + " rows",
                         "was the dataset changed since the checkpoint?");
    m_pos = pos;
    m_order = order(pos.epoch);
}

}  // namespace rf
