// Element-wise optimizers (adam, adamw, sgd, lion), the factory, option parsing and state
// serialisation. The shape-aware ones (adafactor, muon) are in optimizer_matrix.cpp.
#include "optim/optimizer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/edit_distance.h"
#include "core/error.h"
#include "optim/optimizer_options.h"

namespace rf {

// ---------------------------------------------------------------------------------------------
// Layout

TensorLayout complete_layout(const TensorLayout& layout, size_t n) {
    TensorLayout sorted = layout;
    std::sort(sorted.begin(), sorted.end(), [](const TensorView& a, const TensorView& b) { return a.offset < b.offset; });
    TensorLayout out;
    size_t pos = 0;
    for (const TensorView& v : sorted) {
        if (v.size() == 0) throw InputError({}, 0, v.name, "tensor view has no elements", "rows and cols must be > 0");
        if (v.offset < pos)
            throw InputError({}, 0, v.name, "tensor view overlaps the previous one at offset " + std::to_string(v.offset),
                             "views into the trainable buffer must be disjoint");
        if (v.offset + v.size() > n)
            throw InputError({}, 0, v.name,
                             "tensor view [" + std::to_string(v.offset) + ", " + std::to_string(v.offset + v.size()) +
                                 ") runs past the trainable buffer of " + std::to_string(n) + " elements");
        if (v.offset > pos) out.push_back(TensorView::vector("<gap@" + std::to_string(pos) + ">", pos, v.offset - pos));
        out.push_back(v);
        pos = v.offset + v.size();
    }
    if (pos < n) out.push_back(TensorView::vector("<gap@" + std::to_string(pos) + ">", pos, n - pos));
    return out;
}

// ---------------------------------------------------------------------------------------------
// Base: sizing and serialisation
//
// Bytes: "RFOPT1\0\0" | u32 name length | name | i64 step | u64 size | u32 buffer count |
//        per buffer: u64 length | length float32 values (little-endian host order).

namespace {
constexpr char kMagic[8] = {'R', 'F', 'O', 'P', 'T', '1', 0, 0};

template <class T>
void put(std::vector<uint8_t>& out, const T& v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    out.insert(out.end(), p, p + sizeof(T));
}

struct ByteReader {
    std::span<const uint8_t> bytes;
    size_t pos = 0;
    const std::string& who;
    template <class T>
    T get() {
        T v;
        need(sizeof(T));
        std::memcpy(&v, bytes.data() + pos, sizeof(T));
        pos += sizeof(T);
        return v;
    }
    void need(size_t k) const {
        if (bytes.size() - pos < k)
            throw InputError({}, 0, "optimizer_state", "optimizer state for '" + who + "' is truncated",
                             "the checkpoint's state file is damaged; resume from an earlier checkpoint");
    }
};
}  // namespace

void Optimizer::begin_step(size_t n_params, size_t n_grads) {
    RF_CHECK(n_params == n_grads, "optimizer: params and grads differ in size");
    if (m_size == 0) {
        RF_CHECK(n_params > 0, "optimizer: empty trainable buffer");
        m_size = n_params;
        allocate(n_params);
    }
    RF_CHECK(n_params == m_size, "optimizer: the trainable buffer changed size between steps");
}

std::vector<uint8_t> Optimizer::serialise() const {
    std::vector<uint8_t> out(kMagic, kMagic + 8);
    put(out, uint32_t(m_name.size()));
    out.insert(out.end(), m_name.begin(), m_name.end());
    put(out, int64_t(m_step));
    put(out, uint64_t(m_size));
    auto bufs = const_cast<Optimizer*>(this)->state_buffers();
    put(out, uint32_t(bufs.size()));
    for (const std::vector<float>* b : bufs) {
        put(out, uint64_t(b->size()));
        const auto* p = reinterpret_cast<const uint8_t*>(b->data());
        out.insert(out.end(), p, p + b->size() * sizeof(float));
    }
    return out;
}

void Optimizer::restore(std::span<const uint8_t> bytes, size_t n_params) {
    ByteReader r{bytes, 0, m_name};
    r.need(8);
    if (std::memcmp(bytes.data(), kMagic, 8) != 0)
        throw InputError({}, 0, "optimizer_state", "not an optimizer state (bad magic bytes)",
                         "the checkpoint's state file is damaged or of another format");
    r.pos = 8;
    uint32_t name_len = r.get<uint32_t>();
    r.need(name_len);
    std::string name(reinterpret_cast<const char*>(bytes.data() + r.pos), name_len);
    r.pos += name_len;
    if (name != m_name)
        throw InputError({}, 0, "optimizer", "the saved optimizer state is for '" + name + "', this run uses '" + m_name + "'",
                         "resume with the optimizer the run was started with");
    int64_t step = r.get<int64_t>();
    uint64_t size = r.get<uint64_t>();
    uint32_t count = r.get<uint32_t>();
    if (step < 0) throw InputError({}, 0, "optimizer_state", "negative step count in optimizer state");
    if (size == 0 && step == 0 && count == 0 && r.pos == bytes.size()) return;  // saved before the first step
    if (size != n_params)
        throw InputError({}, 0, "optimizer_state",
                         "saved optimizer state covers " + std::to_string(size) + " parameters, the model has " +
                             std::to_string(n_params),
                         "the adapter configuration (rank, layers, keys) must match the run being resumed");
    RF_CHECK(m_size == 0 || m_size == n_params, "optimizer: restore with a different buffer size");
    // Read into temporaries first: a damaged file leaves the optimizer as it was.
    std::vector<std::vector<float>> loaded;
    for (uint32_t k = 0; k < count; ++k) {
        uint64_t len = r.get<uint64_t>();
        if (len > (bytes.size() - r.pos) / sizeof(float)) r.need(bytes.size() + 1);  // truncated
        loaded.emplace_back(size_t(len));
        if (len) std::memcpy(loaded.back().data(), bytes.data() + r.pos, len * sizeof(float));  // an empty buffer's data() may be null
        r.pos += len * sizeof(float);
    }
    if (r.pos != bytes.size()) throw InputError({}, 0, "optimizer_state", "trailing bytes after the optimizer state");
    if (m_size == 0) {
        m_size = n_params;
        allocate(m_size);
    }
    auto bufs = state_buffers();
    if (loaded.size() != bufs.size())
        throw InputError({}, 0, "optimizer_state",
                         "optimizer state has " + std::to_string(loaded.size()) + " buffers, '" + m_name +
                             "' with these options keeps " + std::to_string(bufs.size()),
                         "resume with the same optimizer_config as the original run");
    for (size_t k = 0; k < bufs.size(); ++k)
        if (loaded[k].size() != bufs[k]->size())
            throw InputError({}, 0, "optimizer_state",
                             "optimizer state buffer " + std::to_string(k) + " has " + std::to_string(loaded[k].size()) +
                                 " values, expected " + std::to_string(bufs[k]->size()),
                             "resume with the same optimizer_config and adapter layout as the original run");
    for (size_t k = 0; k < bufs.size(); ++k) *bufs[k] = std::move(loaded[k]);
    m_step = step;
}

// ---------------------------------------------------------------------------------------------
// Option parsing

namespace optim_detail {

OptionReader::OptionReader(std::string optimizer, const nlohmann::json& config)
    : m_optimizer(std::move(optimizer)), m_config(config) {
    if (!m_config.is_null() && !m_config.is_object())
        fail("", "expected a mapping of options, got " + std::string(m_config.type_name()),
             "write e.g. optimizer_config: {" + m_optimizer + ": {weight_decay: 0.01}}");
}

void OptionReader::fail(const std::string& key, const std::string& message, const std::string& hint) const {
    std::string full = "optimizer_config." + m_optimizer + (key.empty() ? "" : "." + key);
    throw InputError({}, 0, full, message, hint);
}

const nlohmann::json* OptionReader::find(const std::string& key) {
    m_known.insert(key);
    if (!m_config.is_object()) return nullptr;
    auto it = m_config.find(key);
    if (it == m_config.end() || it->is_null()) return nullptr;
    return &*it;
}

double OptionReader::number(const std::string& key, double fallback, double lo, double hi) {
    const nlohmann::json* v = find(key);
    if (!v) return fallback;
    if (!v->is_number()) fail(key, "expected a number, got " + v->dump());
    double x = v->get<double>();
    if (!(x >= lo && x <= hi))
        fail(key, "value " + v->dump() + " is out of range", "expected a number in [" + nlohmann::json(lo).dump() + ", " +
                                                                 nlohmann::json(hi).dump() + "]");
    return x;
}

double OptionReader::optional_number(const std::string& key, bool& present, double lo, double hi) {
    present = find(key) != nullptr;
    return present ? number(key, 0.0, lo, hi) : 0.0;
}

bool OptionReader::boolean(const std::string& key, bool fallback) {
    const nlohmann::json* v = find(key);
    if (!v) return fallback;
    if (!v->is_boolean()) fail(key, "expected true or false, got " + v->dump());
    return v->get<bool>();
}

int OptionReader::integer(const std::string& key, int fallback, int lo, int hi) {
    const nlohmann::json* v = find(key);
    if (!v) return fallback;
    if (!v->is_number_integer()) fail(key, "expected an integer, got " + v->dump());
    long long x = v->get<long long>();
    if (x < lo || x > hi)
        fail(key, "value " + v->dump() + " is out of range", "expected an integer in [" + std::to_string(lo) + ", " +
                                                                 std::to_string(hi) + "]");
    return int(x);
}

std::pair<double, double> OptionReader::pair(const std::string& key, std::pair<double, double> fallback, double lo,
                                              double hi) {
    const nlohmann::json* v = find(key);
    if (!v) return fallback;
    if (!v->is_array() || v->size() != 2 || !(*v)[0].is_number() || !(*v)[1].is_number())
        fail(key, "expected a list of two numbers, got " + v->dump(), "e.g. " + key + ": [0.9, 0.999]");
    double a = (*v)[0].get<double>(), b = (*v)[1].get<double>();
    if (!(a >= lo && a <= hi && b >= lo && b <= hi))
        fail(key, "values " + v->dump() + " are out of range",
             "expected numbers in [" + nlohmann::json(lo).dump() + ", " + nlohmann::json(hi).dump() + "]");
    return {a, b};
}

void OptionReader::finish() const {
    if (!m_config.is_object()) return;
    for (auto it = m_config.begin(); it != m_config.end(); ++it) {
        if (m_known.count(it.key())) continue;
        std::string best;
        size_t best_d = 4;
        for (const std::string& k : m_known) {
            size_t d = edit_distance(it.key(), k);
            if (d < best_d) best_d = d, best = k;
        }
        std::string known;
        for (const std::string& k : m_known) known += (known.empty() ? "" : ", ") + k;
        fail(it.key(), "unknown option for " + m_optimizer,
             best.empty() ? "known options: " + known : "did you mean '" + best + "'?");
    }
}

}  // namespace optim_detail

// ---------------------------------------------------------------------------------------------
// Adam / AdamW (mlx.optimizers.Adam, AdamW)

namespace {

using optim_detail::OptionReader;

class Adam final : public Optimizer {
public:
    Adam(std::string name, OptionReader& o, bool decoupled)
        : Optimizer(std::move(name)), m_decoupled(decoupled) {
        auto betas = o.pair("betas", {0.9, 0.999}, 0.0, 1.0);
        m_b1 = betas.first, m_b2 = betas.second;
        m_eps = float(o.number("eps", 1e-8, 0.0, 1.0));
        m_bias_correction = o.boolean("bias_correction", false);
        if (decoupled) m_wd = o.number("weight_decay", 0.01, 0.0, 1e3);
    }

    // Adam, mlx.optimizers.Adam (Kingma & Ba 2015), with t = step number starting at 1:
    //   m_t = b1 m_{t-1} + (1 - b1) g
    //   v_t = b2 v_{t-1} + (1 - b2) g^2
    //   bias_correction false (mlx default): w -= lr m_t / (sqrt(v_t) + eps)
    //   bias_correction true (= torch.optim.Adam):
    //                     w -= (lr / (1 - b1^t)) m_t / (sqrt(v_t) / sqrt(1 - b2^t) + eps)
    // AdamW (Loshchilov & Hutter 2019, mlx.optimizers.AdamW = torch.optim.AdamW): first
    //   w <- w (1 - lr wd), then the Adam step above.
    // reference: mlx python/mlx/optimizers/optimizers.py (Adam.apply_single, AdamW.apply_single)
    void step(std::span<float> w, std::span<const float> g, float lr) override {
        begin_step(w.size(), g.size());
        ++m_step;
        float step_size = lr, denom_scale = 1.0f;
        if (m_bias_correction) {
            double t = double(m_step);
            step_size = float(double(lr) / (1.0 - std::pow(m_b1, t)));
            denom_scale = float(1.0 / std::sqrt(1.0 - std::pow(m_b2, t)));
        }
        const float decay = m_decoupled ? float(1.0 - double(lr) * m_wd) : 1.0f;
        // (1 - beta) in double, then float: as mlx/torch, where the python float is subtracted first.
        const float b1 = float(m_b1), b2 = float(m_b2), c1 = float(1.0 - m_b1), c2 = float(1.0 - m_b2);
        const float eps = m_eps;
        float* m = m_m.data();
        float* v = m_v.data();
        for (size_t i = 0; i < w.size(); ++i) {
            m[i] = b1 * m[i] + c1 * g[i];
            v[i] = b2 * v[i] + c2 * g[i] * g[i];
            w[i] = w[i] * decay - step_size * m[i] / (std::sqrt(v[i]) * denom_scale + eps);
        }
    }

private:
    std::vector<std::vector<float>*> state_buffers() override { return {&m_m, &m_v}; }
    void allocate(size_t n) override { m_m.assign(n, 0.0f), m_v.assign(n, 0.0f); }

    bool m_decoupled;
    double m_b1, m_b2, m_wd = 0.0;
    float m_eps;
    bool m_bias_correction;
    std::vector<float> m_m, m_v;
};

// ---------------------------------------------------------------------------------------------
// SGD (mlx.optimizers.SGD)

class Sgd final : public Optimizer {
public:
    explicit Sgd(OptionReader& o) : Optimizer("sgd") {
        m_momentum = o.number("momentum", 0.0, 0.0, 1.0);
        m_wd = o.number("weight_decay", 0.0, 0.0, 1e3);
        m_dampening = o.number("dampening", 0.0, 0.0, 1.0);
        m_nesterov = o.boolean("nesterov", false);
        if (m_nesterov && (m_momentum <= 0.0 || m_dampening != 0.0))
            o.fail("nesterov", "Nesterov momentum requires a momentum > 0 and zero dampening",
                   "set momentum (e.g. 0.9) and leave dampening at 0, or nesterov: false");
    }

    // SGD with momentum, mlx.optimizers.SGD:
    //   g <- g + wd w                                  (coupled weight decay, an L2 penalty)
    //   momentum = 0:  w -= lr g
    //   otherwise:     v <- mu v + (1 - tau) g         (tau = dampening; v starts at 0)
    //                  u  = g + mu v  (nesterov)  |  v
    //                  w -= lr u
    // With tau = 0 this equals torch.optim.SGD (whose buffer starts at g); with tau > 0 the first
    // step differs from torch, which does not dampen it.
    // reference: mlx python/mlx/optimizers/optimizers.py (SGD.apply_single)
    void step(std::span<float> w, std::span<const float> g, float lr) override {
        begin_step(w.size(), g.size());
        ++m_step;
        const float mu = float(m_momentum), wd = float(m_wd), keep = float(1.0 - m_dampening);
        float* v = m_v.data();
        for (size_t i = 0; i < w.size(); ++i) {
            float gi = g[i] + wd * w[i];
            if (mu <= 0.0f) {
                w[i] -= lr * gi;
                continue;
            }
            v[i] = mu * v[i] + keep * gi;
            w[i] -= lr * (m_nesterov ? gi + mu * v[i] : v[i]);
        }
    }

private:
    std::vector<std::vector<float>*> state_buffers() override { return {&m_v}; }
    void allocate(size_t n) override { m_v.assign(n, 0.0f); }

    double m_momentum, m_wd, m_dampening;
    bool m_nesterov;
    std::vector<float> m_v;
};

// ---------------------------------------------------------------------------------------------
// Lion (mlx.optimizers.Lion)

class Lion final : public Optimizer {
public:
    explicit Lion(OptionReader& o) : Optimizer("lion") {
        auto betas = o.pair("betas", {0.9, 0.99}, 0.0, 1.0);
        m_b1 = betas.first, m_b2 = betas.second;
        m_wd = o.number("weight_decay", 0.0, 0.0, 1e3);
    }

    // Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"), mlx.optimizers.Lion:
    //   c = b1 m + (1 - b1) g
    //   m <- b2 m + (1 - b2) g
    //   w <- w (1 - lr wd)            (only when wd > 0)
    //   w -= lr sign(c)               (sign(0) = 0)
    // reference: mlx python/mlx/optimizers/optimizers.py (Lion.apply_single)
    void step(std::span<float> w, std::span<const float> g, float lr) override {
        begin_step(w.size(), g.size());
        ++m_step;
        const float b1 = float(m_b1), b2 = float(m_b2), c1 = float(1.0 - m_b1), c2 = float(1.0 - m_b2);
        const float decay = m_wd > 0.0 ? float(1.0 - double(lr) * m_wd) : 1.0f;
        float* m = m_m.data();
        for (size_t i = 0; i < w.size(); ++i) {
            float c = b1 * m[i] + c1 * g[i];
            m[i] = b2 * m[i] + c2 * g[i];
            float sign = c > 0.0f ? 1.0f : (c < 0.0f ? -1.0f : 0.0f);
            w[i] = w[i] * decay - lr * sign;
        }
    }

private:
    std::vector<std::vector<float>*> state_buffers() override { return {&m_m}; }
    void allocate(size_t n) override { m_m.assign(n, 0.0f); }

    double m_b1, m_b2, m_wd;
    std::vector<float> m_m;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Factory

const std::vector<std::string>& optimizer_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& e : kOptimizerKindNames) n.emplace_back(e.name);
        return n;
    }();
    return names;
}


std::unique_ptr<Optimizer> make_optimizer(OptimizerKind kind, const nlohmann::json& optimizer_config,
                                          const TensorLayout& layout) {
    const std::string name(enum_name(kind));
    OptionReader opts(name, optimizer_config);
    std::unique_ptr<Optimizer> out;
    switch (kind) {
        case OptimizerKind::adam: out = std::make_unique<Adam>("adam", opts, false); break;
        case OptimizerKind::adamw: out = std::make_unique<Adam>("adamw", opts, true); break;
        case OptimizerKind::sgd: out = std::make_unique<Sgd>(opts); break;
        case OptimizerKind::lion: out = std::make_unique<Lion>(opts); break;
        case OptimizerKind::adafactor: out = optim_detail::make_adafactor(opts, layout); break;
        case OptimizerKind::muon: out = optim_detail::make_muon(opts, layout); break;
    }
    opts.finish();
    return out;
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, const nlohmann::json& optimizer_config,
                                          const TensorLayout& layout) {
    if (auto kind = enum_from_name<OptimizerKind>(name)) return make_optimizer(*kind, optimizer_config, layout);
    std::string known;
    for (const std::string& n : optimizer_names()) known += (known.empty() ? "" : ", ") + n;
    throw InputError({}, 0, "optimizer", "unknown optimizer '" + name + "'", "one of: " + known);
}

}  // namespace rf
