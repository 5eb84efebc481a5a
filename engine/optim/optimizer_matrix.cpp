// The shape-aware optimizers: Adafactor (factored second moments, per-tensor RMS) and Muon
// (Newton-Schulz orthogonalised momentum for matrices). Both walk the completed TensorLayout.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "optim/optimizer_options.h"

namespace rf::optim_detail {

namespace {

double rms(const float* x, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; ++i) s += double(x[i]) * x[i];
    return std::sqrt(s / double(n));
}

// ---------------------------------------------------------------------------------------------
// Adafactor (mlx.optimizers.Adafactor)

class Adafactor final : public Optimizer {
public:
    Adafactor(OptionReader& o, TensorLayout layout) : Optimizer("adafactor"), m_layout(std::move(layout)) {
        auto eps = o.pair("eps", {1e-30, 1e-3}, 0.0, 1.0);
        m_eps1 = eps.first, m_eps2 = eps.second;
        m_clip_threshold = o.number("clip_threshold", 1.0, 1e-12, 1e12);
        m_decay_rate = o.number("decay_rate", -0.8, -10.0, 0.0);
        m_beta1 = o.optional_number("beta_1", m_use_beta1, 0.0, 1.0);
        m_wd = o.number("weight_decay", 0.0, 0.0, 1e3);
        m_scale_parameter = o.boolean("scale_parameter", true);
        m_relative_step = o.boolean("relative_step", true);
        m_warmup_init = o.boolean("warmup_init", false);
    }

    // Adafactor (Shazeer & Stern 2018), per tensor W with gradient G, t = step number from 1:
    //   rel   = relative_step ? min(warmup_init ? 1e-6 t : 1e-2, 1/sqrt(t)) : lr
    //   alpha = rel * (scale_parameter ? max(eps2, RMS(W)) : 1)
    //   b2    = 1 - t^decay_rate
    //   U     = G^2 + eps1
    //   matrix (R x C):  r <- b2 r + (1 - b2) mean_cols(U)      c <- b2 c + (1 - b2) mean_rows(U)
    //                    D = G / sqrt((r / mean(r)) c^T)         (outer product, element-wise)
    //   vector:          s <- b2 s + (1 - b2) U                  D = G / sqrt(s)
    //   D <- alpha * D / max(1, RMS(D) / clip_threshold)
    //   beta_1 set:      e <- beta_1 e + (1 - beta_1) D, D = e
    //   W <- W - wd alpha W - D
    // Note (as mlx): with relative_step true (the default) the learning rate is ignored.
    // reference: mlx python/mlx/optimizers/optimizers.py (Adafactor.apply_single); arXiv:1804.04235
    void step(std::span<float> w, std::span<const float> g, float lr) override {
        begin_step(w.size(), g.size());
        ++m_step;
        const double t = double(m_step);
        const double b2 = 1.0 - std::pow(t, m_decay_rate);
        double rel = lr;
        if (m_relative_step) rel = std::min(m_warmup_init ? 1e-6 * t : 1e-2, 1.0 / std::sqrt(t));
        size_t state_pos = 0;
        for (const TensorView& v : m_tensors) {
            float* W = w.data() + v.offset;
            const float* G = g.data() + v.offset;
            float* D = m_update.data();
            const size_t n = v.size();
            const double alpha = rel * (m_scale_parameter ? std::max(m_eps2, rms(W, n)) : 1.0);
            if (v.is_matrix()) {
                const size_t R = v.rows, C = v.cols;
                float* r = m_sq.data() + state_pos;
                float* c = r + R;
                state_pos += R + C;
                std::vector<double> col_mean(C, 0.0);
                double r_sum = 0.0;
                for (size_t i = 0; i < R; ++i) {
                    double row_mean = 0.0;
                    for (size_t j = 0; j < C; ++j) {
                        double u = double(G[i * C + j]) * G[i * C + j] + m_eps1;
                        row_mean += u;
                        col_mean[j] += u;
                    }
                    r[i] = float(b2 * r[i] + (1.0 - b2) * (row_mean / double(C)));
                    r_sum += r[i];
                }
                for (size_t j = 0; j < C; ++j) c[j] = float(b2 * c[j] + (1.0 - b2) * (col_mean[j] / double(R)));
                const double r_mean = r_sum / double(R);
                for (size_t i = 0; i < R; ++i) {
                    const double rf_ = 1.0 / std::sqrt(double(r[i]) / r_mean);
                    for (size_t j = 0; j < C; ++j) D[i * C + j] = float(rf_ / std::sqrt(double(c[j])) * G[i * C + j]);
                }
            } else {
                float* s = m_sq.data() + state_pos;
                state_pos += n;
                for (size_t i = 0; i < n; ++i) {
                    s[i] = float(b2 * s[i] + (1.0 - b2) * (double(G[i]) * G[i] + m_eps1));
                    D[i] = float(G[i] / std::sqrt(double(s[i])));
                }
            }
            const double scale = alpha / std::max(1.0, rms(D, n) / m_clip_threshold);
            float* e = m_use_beta1 ? m_exp_avg.data() + v.offset : nullptr;
            const double decay = m_wd != 0.0 ? 1.0 - m_wd * alpha : 1.0;
            for (size_t i = 0; i < n; ++i) {
                float d = float(D[i] * scale);
                if (e) d = e[i] = float(m_beta1 * e[i] + (1.0 - m_beta1) * d);
                W[i] = float(W[i] * decay) - d;
            }
        }
    }

private:
    std::vector<std::vector<float>*> state_buffers() override {
        if (m_use_beta1) return {&m_sq, &m_exp_avg};
        return {&m_sq};
    }
    void allocate(size_t n) override {
        m_tensors = complete_layout(m_layout, n);
        size_t sq = 0, largest = 0;
        for (const TensorView& v : m_tensors) {
            sq += v.is_matrix() ? v.rows + v.cols : v.size();
            largest = std::max(largest, v.size());
        }
        m_sq.assign(sq, 0.0f);
        m_update.assign(largest, 0.0f);
        if (m_use_beta1) m_exp_avg.assign(n, 0.0f);
    }

    TensorLayout m_layout, m_tensors;
    double m_eps1, m_eps2, m_clip_threshold, m_decay_rate, m_beta1, m_wd;
    bool m_use_beta1 = false, m_scale_parameter, m_relative_step, m_warmup_init;
    std::vector<float> m_sq;       // per matrix: row factors then column factors; per vector: s
    std::vector<float> m_exp_avg;  // first moment (beta_1 set)
    std::vector<float> m_update;   // scratch
};

// ---------------------------------------------------------------------------------------------
// Muon (mlx.optimizers.Muon)

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Newton-Schulz quintic iteration towards the orthogonal polar factor U V^T of X (R x C):
//   transpose so that R <= C;  X <- X / (||X||_F + 1e-7)
//   k times:  A = X X^T;  B = b A + c A A;  X <- a X + B X      (a, b, c) = (3.4445, -4.7750, 2.0315)
// reference: K. Jordan, "Muon: An optimizer for hidden layers" (2024); mlx Muon._zeropower_via_newtonschulz5
void newton_schulz5(float* data, size_t R, size_t C, int steps) {
    constexpr float a = 3.4445f, b = -4.7750f, c = 2.0315f;
    Eigen::Map<RowMatrix> G(data, Eigen::Index(R), Eigen::Index(C));
    RowMatrix X = R > C ? RowMatrix(G.transpose()) : RowMatrix(G);
    X /= X.norm() + 1e-7f;
    for (int k = 0; k < steps; ++k) {
        RowMatrix A = X * X.transpose();
        RowMatrix B = b * A + c * (A * A);
        X = a * X + B * X;
    }
    if (R > C) G = X.transpose();
    else G = X;
}

class Muon final : public Optimizer {
public:
    Muon(OptionReader& o, TensorLayout layout) : Optimizer("muon"), m_layout(std::move(layout)) {
        m_momentum = o.number("momentum", 0.95, 0.0, 1.0);
        m_wd = o.number("weight_decay", 0.01, 0.0, 1e3);
        m_nesterov = o.boolean("nesterov", true);
        m_ns_steps = o.integer("ns_steps", 5, 0, 100);
        // Reinforge addition (not in mlx): 1-D tensors and uncovered ranges use AdamW instead of
        // Muon's plain momentum step. Off by default, so a config from mlx-lm-lora behaves as there.
        m_adamw_fallback = o.boolean("adamw_fallback", false);
        auto betas = o.pair("adamw_betas", {0.9, 0.999}, 0.0, 1.0);
        m_ab1 = betas.first, m_ab2 = betas.second;
        m_aeps = o.number("adamw_eps", 1e-8, 0.0, 1.0);
        m_awd = o.number("adamw_weight_decay", 0.01, 0.0, 1e3);
    }

    // Muon, mlx.optimizers.Muon, per tensor W with gradient G:
    //   G <- G + wd W                                   (coupled weight decay, as mlx)
    //   v <- mu v + (1 - mu) G
    //   U  = nesterov ? (1 - mu) G + mu v : v
    //   matrix (R x C): U <- NS5(U),  lr' = lr sqrt(max(1, R / C))
    //   vector:         U unchanged,  lr' = lr     (mlx applies no orthogonalisation to 1-D tensors)
    //   W <- W - lr' U
    // adamw_fallback: vectors take the AdamW step of optimizer.cpp (mlx defaults, no bias correction)
    // with this learning rate, adamw_betas / adamw_eps / adamw_weight_decay.
    // reference: mlx python/mlx/optimizers/optimizers.py (Muon.apply_single)
    void step(std::span<float> w, std::span<const float> g, float lr) override {
        begin_step(w.size(), g.size());
        ++m_step;
        const float mu = float(m_momentum), c = float(1.0 - m_momentum), wd = float(m_wd);
        for (const TensorView& t : m_tensors) {
            float* W = w.data() + t.offset;
            const float* G = g.data() + t.offset;
            float* V = m_v.data() + t.offset;
            const size_t n = t.size();
            if (!t.is_matrix() && m_adamw_fallback) {
                adamw(W, G, V, m_v2.data() + t.offset, n, lr);
                continue;
            }
            float* U = m_update.data();
            for (size_t i = 0; i < n; ++i) {
                float gi = wd != 0.0f ? G[i] + wd * W[i] : G[i];
                V[i] = mu * V[i] + c * gi;
                U[i] = m_nesterov ? c * gi + mu * V[i] : V[i];
            }
            float step_lr = lr;
            if (t.is_matrix()) {
                newton_schulz5(U, t.rows, t.cols, m_ns_steps);
                step_lr = float(double(lr) * std::sqrt(std::max(1.0, double(t.rows) / double(t.cols))));
            }
            for (size_t i = 0; i < n; ++i) W[i] -= step_lr * U[i];
        }
    }

private:
    // AdamW with mlx defaults (no bias correction); m in `m`, v in `v`.
    void adamw(float* W, const float* G, float* m, float* v, size_t n, float lr) const {
        const float b1 = float(m_ab1), b2 = float(m_ab2), c1 = float(1.0 - m_ab1), c2 = float(1.0 - m_ab2);
        const float eps = float(m_aeps), decay = float(1.0 - double(lr) * m_awd);
        for (size_t i = 0; i < n; ++i) {
            m[i] = b1 * m[i] + c1 * G[i];
            v[i] = b2 * v[i] + c2 * G[i] * G[i];
            W[i] = W[i] * decay - lr * m[i] / (std::sqrt(v[i]) + eps);
        }
    }
    std::vector<std::vector<float>*> state_buffers() override {
        if (m_adamw_fallback) return {&m_v, &m_v2};
        return {&m_v};
    }
    void allocate(size_t n) override {
        m_tensors = complete_layout(m_layout, n);
        size_t largest = 0;
        for (const TensorView& t : m_tensors) largest = std::max(largest, t.size());
        m_v.assign(n, 0.0f);
        if (m_adamw_fallback) m_v2.assign(n, 0.0f);
        m_update.assign(largest, 0.0f);
    }

    TensorLayout m_layout, m_tensors;
    double m_momentum, m_wd, m_ab1, m_ab2, m_aeps, m_awd;
    bool m_nesterov, m_adamw_fallback;
    int m_ns_steps;
    std::vector<float> m_v;       // momentum (Muon) or AdamW m (fallback vectors)
    std::vector<float> m_v2;      // AdamW v (fallback vectors only)
    std::vector<float> m_update;  // scratch
};

}  // namespace

std::unique_ptr<Optimizer> make_adafactor(OptionReader& opts, const TensorLayout& layout) {
    return std::make_unique<Adafactor>(opts, layout);
}

std::unique_ptr<Optimizer> make_muon(OptionReader& opts, const TensorLayout& layout) {
    return std::make_unique<Muon>(opts, layout);
}

}  // namespace rf::optim_detail
