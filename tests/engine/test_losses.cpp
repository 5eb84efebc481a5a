// Loss heads (SFT, REINFORCE/RLOO, GRPO, PPO) against tests/fixtures/losses/losses_cases.json,
// written by tests/reference/losses_reference.py (PyTorch, autograd for dL/dlogp), over every option
// combination; plus a double-precision finite-difference check of every case.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "rl/losses.h"

namespace {

using nlohmann::json;

const json& fixture() {
    static const json j = [] {
        std::ifstream in(std::string(REINFORGE_FIXTURES) + "/losses/losses_cases.json");
        if (!in) throw std::runtime_error("missing fixture losses/losses_cases.json");
        return json::parse(in);
    }();
    return j;
}

template <class S>
std::vector<S> vec(const json& a) {
    std::vector<S> out;
    for (const json& x : a) out.push_back(x.is_null() ? S(NAN) : S(x.get<double>()));
    return out;
}

template <class E>
E parse(const json& name) {
    std::optional<E> v = rf::enum_from_name<E>(name.get<std::string>());
    if (!v) throw std::runtime_error("fixture has an unknown option value " + name.dump());
    return *v;
}

// The fixture's inputs in scalar type S, and a runner for one case on a given logp.
template <class S>
struct Inputs {
    int N = fixture()["N"], T = fixture()["T"];
    std::vector<S> logp = vec<S>(fixture()["inputs"]["logp"]);
    std::vector<S> old_logp = vec<S>(fixture()["inputs"]["old_logp"]);
    std::vector<S> ref_logp = vec<S>(fixture()["inputs"]["ref_logp"]);
    std::vector<S> mask = vec<S>(fixture()["inputs"]["mask"]);
    std::vector<double> rewards = vec<double>(fixture()["inputs"]["rewards"]);
    std::vector<double> advantages = vec<double>(fixture()["inputs"]["advantages"]);
    std::vector<double> score_gap = vec<double>(fixture()["inputs"]["score_gap"]);
    std::vector<uint8_t> truncated = fixture()["inputs"]["truncated"].get<std::vector<uint8_t>>();

    // `old_override`: the old policy to use when the case has none (the finite-difference check
    // passes the unperturbed logp so that it stays detached).
    rf::LossOutput<S> run(const json& c, std::span<const S> lp, const std::vector<S>* old_override = nullptr,
                          rf::RunningMeanBaseline* state_after = nullptr) const {
        const json& o = c["options"];
        const bool use_old = o.value("use_old", true);
        int rows = o.value("rows", N);
        const size_t n = size_t(rows) * size_t(T);
        rf::LossBatch<S> b;
        b.N = rows, b.T = T;
        b.logp = lp.subspan(0, n);
        b.ref_logp = std::span<const S>(ref_logp).subspan(0, n);
        b.mask = std::span<const S>(mask).subspan(0, n);
        if (use_old) b.old_logp = std::span<const S>(old_logp).subspan(0, n);
        else if (old_override) b.old_logp = std::span<const S>(*old_override).subspan(0, n);
        const std::string head = c["head"];
        if (head == "sft") return rf::sft_loss(b);
        if (head == "reinforce") {
            rf::ReinforceOptions r;
            r.beta = o["beta"], r.group_size = o["group_size"], r.running_mean_decay = o["running_mean_decay"];
            r.baseline = parse<rf::Baseline>(o["baseline"]);
            rf::RunningMeanBaseline state;
            if (c.contains("running_before")) state = rf::RunningMeanBaseline::from_json(c["running_before"]);
            rf::LossOutput<S> out = rf::reinforce_loss(b, rewards, r, &state);
            if (state_after) *state_after = state;
            return out;
        }
        if (head == "grpo") {
            rf::GrpoOptions g;
            g.beta = o["beta"], g.epsilon = o["epsilon"], g.epsilon_high = o["epsilon_high"];
            g.loss_type = parse<rf::GrpoLossType>(o["loss_type"]);
            g.importance_sampling_level = parse<rf::ImportanceSamplingLevel>(o["importance_sampling_level"]);
            g.ratio_against = parse<rf::RatioAgainst>(o["ratio_against"]);
            g.mask_truncated_completions = o["mask_truncated_completions"];
            g.max_completion_length = o["max_completion_length"];
            g.sapo_temperature_pos = o.value("sapo_temperature_pos", 1.0);
            g.sapo_temperature_neg = o.value("sapo_temperature_neg", 1.05);
            return rf::grpo_loss(b, advantages, truncated, g);
        }
        RF_CHECK(head == "ppo");
        rf::PpoOptions p;
        p.beta = o["beta"], p.epsilon = o["epsilon"];
        p.advantage = parse<rf::PpoAdvantage>(o["advantage"]);
        p.ratio_against = parse<rf::RatioAgainst>(o["ratio_against"]);
        p.importance_sampling_level = parse<rf::ImportanceSamplingLevel>(o["importance_sampling_level"]);
        p.kl_estimator = parse<rf::KlEstimator>(o["kl_estimator"]);
        std::vector<double> gaps(score_gap.begin(), score_gap.begin() + rows / 2);
        return rf::ppo_loss(b, o["use_gap"].get<bool>() ? std::span<const double>(gaps) : std::span<const double>{}, p);
    }
};

std::string scientific(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2e", x);
    return buf;
}

std::string label(const json& c) { return c["head"].get<std::string>() + " " + c["options"].dump(); }

template <class S>
void compare_to_reference(double tol) {
    Inputs<S> in;
    size_t n_cases = 0;
    double worst = 0.0;
    for (const json& c : fixture()["cases"]) {
        SCOPED_TRACE(label(c));
        rf::RunningMeanBaseline state;
        rf::LossOutput<S> out = in.run(c, in.logp, nullptr, &state);
        const json& e = c["expected"];
        auto close = [&](double got, double want) {
            const double err = std::abs(got - want) / (1.0 + std::abs(want));
            worst = std::max(worst, err);
            return err <= tol;
        };
        EXPECT_TRUE(close(out.loss, e["loss"])) << out.loss << " vs " << e["loss"];
        ASSERT_EQ(out.dlogp.size(), e["dlogp"].size());
        for (size_t k = 0; k < out.dlogp.size(); ++k)
            ASSERT_TRUE(close(out.dlogp[k], e["dlogp"][k])) << "dlogp[" << k << "] " << out.dlogp[k] << " vs " << e["dlogp"][k];
        for (auto it = e["metrics"].begin(); it != e["metrics"].end(); ++it) {
            ASSERT_TRUE(out.metrics.count(it.key())) << "missing metric " << it.key();
            EXPECT_TRUE(close(out.metrics[it.key()], it.value())) << it.key() << ": " << out.metrics[it.key()] << " vs " << it.value();
        }
        EXPECT_EQ(out.metrics.size(), e["metrics"].size()) << "metrics the reference does not check";
        if (c.contains("running_after")) {
            EXPECT_TRUE(close(state.value, c["running_after"]["value"]));
            EXPECT_EQ(state.count, c["running_after"]["count"].get<int64_t>());
        }
        ++n_cases;
    }
    EXPECT_EQ(n_cases, 295u);  // 185 + dapo and cispo (issue 16 item 9) + 42 sapo
    ::testing::Test::RecordProperty("worst_relative_error", scientific(worst));
}

// Double: the same float64 arithmetic as torch up to summation order (measured worst relative
// error 4.5e-16).
TEST(Losses, MatchPyTorchReferenceInDouble) { compare_to_reference<double>(1e-12); }

// Float inputs (as the trainer passes them), accumulated in double: float rounding of the inputs
// and of dL/dlogp dominates (measured worst relative error 4.1e-8).
TEST(Losses, MatchPyTorchReferenceInFloat) { compare_to_reference<float>(1e-6); }

// Central differences in double of every case: dL/dlogp_k ~ (L(logp + h e_k) - L(logp - h e_k)) / 2h.
// The detached inputs (old_logp, ref_logp, rewards, advantages) stay fixed, so this checks the
// gradient of the loss as the heads define it, including the 1 / count normalisers. cispo is left out:
// its weight min(rho, 1 + eps_high) is held constant by definition (stop-gradient), so its gradient is
// not the derivative of its loss value; the PyTorch comparison above checks it (autograd with detach).
TEST(Losses, FiniteDifferenceGradientsInDouble) {
    Inputs<double> in;
    const double h = 1e-6;
    double worst = 0.0;
    for (const json& c : fixture()["cases"]) {
        SCOPED_TRACE(label(c));
        if (c["options"].value("loss_type", std::string()) == "cispo") continue;
        const std::vector<double> fixed_old = in.logp;
        rf::LossOutput<double> out = in.run(c, in.logp, &fixed_old);
        std::vector<double> lp = in.logp;
        for (size_t k = 0; k < out.dlogp.size(); ++k) {
            const double x = lp[k];
            lp[k] = x + h;
            const double up = in.run(c, lp, &fixed_old).loss;
            lp[k] = x - h;
            const double down = in.run(c, lp, &fixed_old).loss;
            lp[k] = x;
            const double fd = (up - down) / (2 * h);
            const double err = std::abs(fd - out.dlogp[k]);
            worst = std::max(worst, err);
            // Truncation O(h^2) plus rounding ~1e-16 / h; measured worst 7.3e-10, so 1e-8 has >10x room.
            ASSERT_LE(err, 1e-8) << "k=" << k << " analytic " << out.dlogp[k] << " fd " << fd;
        }
    }
    RecordProperty("worst_fd_error", scientific(worst));
}

// sapo's soft gate (SAPO, arXiv:2511.20347) on one token, by hand: loss = -A sigmoid(tau (rho - 1)) 4 / tau,
// dL/dlogp = -A 4 sigma (1 - sigma) rho. On-policy (rho = 1) it is the plain policy gradient -A, as
// grpo's; where grpo's clip stops the gradient (rho > 1 + eps_high with A > 0) sapo's only shrinks.
TEST(Losses, SapoSoftGateByHand) {
    auto one = [](double logp, double old, double A, double tau_pos, double tau_neg, rf::GrpoLossType type) {
        const std::vector<double> lp{logp}, ol{old}, ref{old}, mask{1.0};
        rf::LossBatch<double> b{1, 1, lp, ol, ref, mask};
        rf::GrpoOptions g;
        g.beta = 0.0, g.loss_type = type, g.sapo_temperature_pos = tau_pos, g.sapo_temperature_neg = tau_neg;
        const std::vector<double> adv{A};
        return rf::grpo_loss(b, adv, {}, g);
    };
    const auto sigmoid = [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
    for (double A : {1.5, -0.7})
        for (double lr : {-2.0, -0.3, 0.0, 0.1, 0.5, 2.0}) {
            const double tau = A > 0 ? 0.8 : 2.5, rho = std::exp(lr), sg = sigmoid(tau * (rho - 1.0));
            const auto out = one(-1.0 + lr, -1.0, A, 0.8, 2.5, rf::GrpoLossType::sapo);
            EXPECT_NEAR(out.loss, -A * sg * 4.0 / tau, 1e-14) << A << " " << lr;
            EXPECT_NEAR(out.dlogp[0], -A * 4.0 * sg * (1.0 - sg) * rho, 1e-14) << A << " " << lr;
        }
    EXPECT_NEAR(one(-1.0, -1.0, 1.5, 1.0, 1.05, rf::GrpoLossType::sapo).dlogp[0], -1.5, 1e-15) << "on-policy";
    EXPECT_NEAR(one(-1.0, -1.0, 1.5, 1.0, 1.05, rf::GrpoLossType::grpo).dlogp[0], -1.5, 1e-15);
    EXPECT_EQ(one(-0.5, -1.0, 1.5, 1.0, 1.05, rf::GrpoLossType::grpo).dlogp[0], 0.0) << "clipped: rho = 1.65";
    const double soft = one(-0.5, -1.0, 1.5, 1.0, 1.05, rf::GrpoLossType::sapo).dlogp[0];
    EXPECT_LT(soft, 0.0);
    EXPECT_GT(soft, -1.5 * std::exp(0.5)) << "attenuated, not cut";
}

TEST(Losses, OldLogpDefaultsToDetachedPolicy) {
    // num_iterations 1: no separate old policy means ratio 1 (GRPO's loss is then -mean A).
    Inputs<double> in;
    rf::LossBatch<double> b{in.N, in.T, in.logp, {}, in.ref_logp, in.mask};
    rf::GrpoOptions g;
    g.beta = 0.0;
    rf::LossOutput<double> out = rf::grpo_loss(b, in.advantages, {}, g);
    double expect = 0.0;
    for (double a : in.advantages) expect -= a / in.N;
    EXPECT_NEAR(out.loss, expect, 1e-12);
    EXPECT_DOUBLE_EQ(out.metrics["clip_ratio_total"], 0.0);
}

TEST(Losses, BadOptionsAreInputErrors) {
    Inputs<double> in;
    rf::LossBatch<double> b{in.N, in.T, in.logp, in.old_logp, in.ref_logp, in.mask};
    rf::ReinforceOptions r;
    r.baseline = rf::Baseline::rloo, r.group_size = 1;
    EXPECT_THROW(rf::reinforce_loss(b, in.rewards, r), rf::InputError);
    EXPECT_THROW(rf::RunningMeanBaseline::from_json(json{{"value", "x"}}), rf::InputError);
    // A missing reference where one is needed, or a clip range the config refuses (key table:
    // epsilon in (0, 1); validate(): epsilon_high >= epsilon), is a programming error of the caller.
    rf::LossBatch<double> no_ref{in.N, in.T, in.logp, in.old_logp, {}, in.mask};
    EXPECT_THROW(rf::grpo_loss(no_ref, in.advantages, {}, rf::GrpoOptions{}), rf::InternalError);
    rf::GrpoOptions g;
    g.epsilon = 0.2, g.epsilon_high = 0.1;
    EXPECT_THROW(rf::grpo_loss(b, in.advantages, {}, g), rf::InternalError);
    rf::PpoOptions p;
    p.epsilon = 1.0;
    ASSERT_EQ(in.N % 2, 0);  // the batch is valid as PPO pairs: only epsilon is wrong
    EXPECT_NO_THROW(rf::ppo_loss(b, {}, rf::PpoOptions{}));
    EXPECT_THROW(rf::ppo_loss(b, {}, p), rf::InternalError);
}

TEST(Losses, KlEstimatorNamesRoundTrip) {
    for (auto v : {rf::KlEstimator::k1, rf::KlEstimator::k3})
        EXPECT_EQ(rf::enum_from_name<rf::KlEstimator>(rf::enum_name(v)), v);
    EXPECT_FALSE(rf::enum_from_name<rf::KlEstimator>("k2").has_value());
}

}  // namespace

// dapo (issue 16 item 9): the token mean of the whole accumulated step. Split into two micro-batches
// that are each normalised by the step's tokens, the gradients add up to bnpo on the whole batch;
// on one micro-batch dapo is bnpo.
TEST(Losses, DapoIsTheTokenMeanOfTheWholeStep) {
    Inputs<double> in;
    ASSERT_EQ(in.N % 2, 0);
    rf::LossBatch<double> all{in.N, in.T, in.logp, in.old_logp, in.ref_logp, in.mask};
    rf::GrpoOptions o;
    o.loss_type = rf::GrpoLossType::bnpo;
    auto whole = rf::grpo_loss(all, in.advantages, {}, o);
    double tokens = 0;
    for (double m : in.mask) tokens += m;
    o.loss_type = rf::GrpoLossType::dapo;
    auto one = rf::grpo_loss(all, in.advantages, {}, o);
    for (size_t k = 0; k < whole.dlogp.size(); ++k) ASSERT_DOUBLE_EQ(one.dlogp[k], whole.dlogp[k]);
    o.dapo_tokens = tokens;
    const size_t h = size_t(in.N / 2) * size_t(in.T);
    auto half = [&](size_t from, size_t rows, std::span<const double> adv) {
        auto sub = [&](const std::vector<double>& v) { return std::span<const double>(v).subspan(from, rows * in.T); };
        rf::LossBatch<double> b{int(rows), in.T, sub(in.logp), sub(in.old_logp), sub(in.ref_logp), sub(in.mask)};
        return rf::grpo_loss(b, adv, {}, o);
    };
    std::span<const double> adv(in.advantages);
    auto a = half(0, size_t(in.N / 2), adv.subspan(0, size_t(in.N / 2)));
    auto b = half(h, size_t(in.N / 2), adv.subspan(size_t(in.N / 2)));
    for (size_t k = 0; k < h; ++k) ASSERT_NEAR(a.dlogp[k], whole.dlogp[k], 1e-15);
    for (size_t k = 0; k < h; ++k) ASSERT_NEAR(b.dlogp[k], whole.dlogp[h + k], 1e-15);
    EXPECT_NEAR(a.loss + b.loss, whole.loss, 1e-12);
}
