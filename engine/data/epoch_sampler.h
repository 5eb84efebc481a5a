// Shuffled epochs (SPEC §5: every row once per epoch, in a new order each epoch, not draws with
// replacement), reproducible from the run's seed and resumable from a serialisable position.
//
//   EpochSampler s(dataset.size(), cfg.seed);
//   std::vector<size_t> batch = s.next_batch(cfg.batch_size);
//   state["data_position"] = {s.position().epoch, s.position().index};   // checkpoint
//   s.restore({epoch, index});                                           // exact resume
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rf {

struct DataPosition {
    uint64_t epoch = 0;  // epochs completed
    uint64_t index = 0;  // rows of the current epoch already handed out
    std::string to_string() const;
    // Parses "epoch:index"; throws InputError naming `where` when malformed.
    static DataPosition parse(const std::string& s, const std::string& where);
};

class EpochSampler {
public:
    // `size` rows; `shuffle` false keeps file order (validation/test).
    EpochSampler(size_t size, uint64_t seed, bool shuffle = true);

    // The next row index; after the last row of an epoch the next epoch begins with a new order.
    size_t next();
    // `n` row indices; a batch may span an epoch boundary (as mlx-lm's iterate_batches does
    // when it loops over epochs).
    std::vector<size_t> next_batch(size_t n);
    DataPosition position() const { return m_pos; }
    // Continues exactly where position() was taken. Throws InputError when it does not fit.
    void restore(const DataPosition& pos);
    // The order of epoch `epoch` (a permutation of 0..size-1).
    std::vector<size_t> order(uint64_t epoch) const;
    size_t size() const { return m_size; }

private:
    size_t m_size;
    uint64_t m_seed;
    bool m_shuffle;
    DataPosition m_pos;
    std::vector<size_t> m_order;  // order of m_pos.epoch
};

}  // namespace rf
