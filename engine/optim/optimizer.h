// Optimizers over ONE contiguous trainable buffer (STYLE.md: "what the optimizer updates is one
// span"). Each is a flat loop over (params, grads) with its state (moments, step count) in buffers of
// the same length, so a data-parallel rank only has to all-reduce `grads` before calling step().
//
// Semantics follow mlx.optimizers (the reference backend builds them as
// `opt_class(learning_rate=lr, **optimizer_config[name])`), including its defaults; the exact update
// rules are written above each step() in optimizer.cpp / optimizer_matrix.cpp and in
// docs/algorithms.md. Notable: mlx's Adam/AdamW apply NO bias correction unless
// `bias_correction: true`; Adafactor ignores the learning rate unless `relative_step: false`.
//
// Optimizers that need tensor shapes (adafactor: factored second moments and per-tensor RMS; muon:
// Newton-Schulz orthogonalisation of 2-D updates) take a TensorLayout: views (offset, rows, cols)
// into the buffer. Elements not covered by any view form 1-D tensors (one per maximal gap).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "core/enum_names.h"

namespace rf {

// One tensor inside the trainable buffer, with mlx's shape: a matrix (rows, cols) or a vector.
struct TensorView {
    std::string name;
    size_t offset = 0;
    size_t rows = 0;  // vector: its length
    size_t cols = 0;  // 0 for a vector (ndim 1)

    static TensorView matrix(std::string name, size_t offset, size_t rows, size_t cols) {
        return {std::move(name), offset, rows, cols};
    }
    static TensorView vector(std::string name, size_t offset, size_t n) { return {std::move(name), offset, n, 0}; }
    bool is_matrix() const { return cols > 0; }
    size_t size() const { return cols > 0 ? rows * cols : rows; }
};
using TensorLayout = std::vector<TensorView>;

// The layout sorted by offset and completed with 1-D views for every uncovered range of a buffer of
// `n` elements. Throws InputError when views overlap or run past `n`.
TensorLayout complete_layout(const TensorLayout& layout, size_t n);

class Optimizer {
public:
    virtual ~Optimizer() = default;

    // One update: params -= f(grads, state). `lr` is this step's learning rate (from the schedule).
    // The first call sizes the state to params.size(); later calls must pass the same size.
    virtual void step(std::span<float> params, std::span<const float> grads, float lr) = 0;

    const std::string& name() const { return m_name; }
    int64_t step_count() const { return m_step; }

    // All state (step count and every moment buffer) as bytes, for exact resume. restore() accepts
    // only bytes written by the same optimizer kind and options for a buffer of `n_params` elements;
    // anything else is an InputError (a checkpoint from another run or a damaged file).
    std::vector<uint8_t> serialise() const;
    void restore(std::span<const uint8_t> bytes, size_t n_params);

protected:
    explicit Optimizer(std::string name) : m_name(std::move(name)) {}
    // Buffers that make up the state, in a fixed order (for serialise/restore).
    virtual std::vector<std::vector<float>*> state_buffers() = 0;
    // Sizes the state for a buffer of n elements on the first step; checks n afterwards.
    void begin_step(size_t n_params, size_t n_grads);
    virtual void allocate(size_t n) = 0;

    std::string m_name;
    int64_t m_step = 0;   // completed steps (mlx's optimizer.step before the increment)
    size_t m_size = 0;    // elements in the trainable buffer, 0 before the first step
};

// The optimizers, spelled as in YAML (`optimizer`) and mlx.optimizers.
enum class OptimizerKind { adam, adamw, sgd, adafactor, lion, muon };
inline constexpr EnumName<OptimizerKind> kOptimizerKindNames[] = {
    {OptimizerKind::adam, "adam"}, {OptimizerKind::adamw, "adamw"}, {OptimizerKind::sgd, "sgd"},
    {OptimizerKind::adafactor, "adafactor"}, {OptimizerKind::lion, "lion"}, {OptimizerKind::muon, "muon"}};
constexpr std::span<const EnumName<OptimizerKind>> enum_names(OptimizerKind) { return kOptimizerKindNames; }

// Known names: adam, adamw, sgd, adafactor, lion, muon. `optimizer_config` is the block for this
// optimizer (mlx's optimizer_config[name], e.g. {"betas": [0.9, 0.999], "eps": 1e-8}); an unknown key
// or a value of the wrong type/range is an InputError naming the key. `layout` is used by adafactor
// and muon (ignored by the element-wise ones).
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, const nlohmann::json& optimizer_config,
                                          const TensorLayout& layout = {});

std::unique_ptr<Optimizer> make_optimizer(OptimizerKind kind, const nlohmann::json& optimizer_config,
                                          const TensorLayout& layout = {});

// The names make_optimizer accepts, for messages and the UI.
const std::vector<std::string>& optimizer_names();

}  // namespace rf
