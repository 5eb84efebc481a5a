// Optimizers and gradient clipping against tests/fixtures/optim/optim_cases.json, written by
// tests/reference/optim_reference.py (torch.optim where torch has the rule, numpy mlx formulas
// otherwise). Plus exact resume through serialise/restore and the error paths.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "optim/grad_clip.h"
#include "optim/optimizer.h"

namespace {

using nlohmann::json;

const json& fixture() {
    static const json j = [] {
        std::ifstream in(std::string(REINFORGE_FIXTURES) + "/optim/optim_cases.json");
        if (!in) throw std::runtime_error("missing fixture optim/optim_cases.json");
        return json::parse(in);
    }();
    return j;
}

rf::TensorLayout fixture_layout() {
    rf::TensorLayout layout;
    for (const json& v : fixture()["layout"]) {
        size_t cols = v["cols"].get<size_t>();
        if (cols > 0) layout.push_back(rf::TensorView::matrix(v["name"], v["offset"], v["rows"], cols));
        else layout.push_back(rf::TensorView::vector(v["name"], v["offset"], v["rows"]));
    }
    return layout;
}

std::vector<float> floats(const json& a) {
    std::vector<float> out;
    for (const json& x : a) out.push_back(float(x.get<double>()));
    return out;
}

// Relative tolerance after 6 steps. Measured worst case 7.6e-8 (lion; muon's float32 Newton-Schulz
// against numpy float64: 6.8e-8), so 1e-6 leaves an order of magnitude of headroom.
double tolerance(const std::string&) { return 1e-6; }

TEST(Optimizer, MatchesReferenceTrajectories) {
    const json& f = fixture();
    const auto grads = f["grads"];
    const auto lrs = f["lrs"];
    ASSERT_GE(f["cases"].size(), 19u);
    for (const json& c : f["cases"]) {
        const std::string name = c["optimizer"];
        SCOPED_TRACE(name + " " + c["config"].dump() + " vs " + c["source"].get<std::string>());
        auto opt = rf::make_optimizer(name, c["config"], fixture_layout());
        std::vector<float> w = floats(f["w0"]);
        double worst = 0.0;
        for (size_t s = 0; s < grads.size(); ++s) {
            std::vector<float> g = floats(grads[s]);
            opt->step(w, g, float(lrs[s].get<double>()));
            const json& expect = c["trajectory"][s];
            for (size_t i = 0; i < w.size(); ++i) {
                double e = expect[i].get<double>();
                double err = std::abs(double(w[i]) - e) / (1.0 + std::abs(e));
                worst = std::max(worst, err);
                ASSERT_LE(err, tolerance(name)) << "step " << s << " element " << i << ": " << w[i] << " vs " << e;
            }
        }
        EXPECT_EQ(opt->step_count(), int64_t(grads.size()));
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.2e", worst);
        RecordProperty(name + c["config"].dump(), buf);
    }
}

// Same trajectory whether or not the run is interrupted after step 3 and resumed from bytes.
TEST(Optimizer, ResumeFromSerialisedStateIsBitExact) {
    const json& f = fixture();
    const std::vector<std::pair<std::string, json>> configs = {
        {"adam", json::object()}, {"adamw", {{"bias_correction", true}}}, {"sgd", {{"momentum", 0.9}}},
        {"lion", json::object()}, {"adafactor", {{"beta_1", 0.9}}},       {"muon", {{"adamw_fallback", true}}}};
    for (const auto& [name, cfg] : configs) {
        SCOPED_TRACE(name);
        auto straight = rf::make_optimizer(name, cfg, fixture_layout());
        auto first = rf::make_optimizer(name, cfg, fixture_layout());
        std::vector<float> w1 = floats(f["w0"]), w2 = w1;
        std::vector<uint8_t> saved;
        std::unique_ptr<rf::Optimizer> resumed;
        for (size_t s = 0; s < f["grads"].size(); ++s) {
            std::vector<float> g = floats(f["grads"][s]);
            float lr = float(f["lrs"][s].get<double>());
            straight->step(w1, g, lr);
            if (s < 3) {
                first->step(w2, g, lr);
                if (s == 2) {
                    saved = first->serialise();
                    resumed = rf::make_optimizer(name, cfg, fixture_layout());
                    resumed->restore(saved, w2.size());
                    EXPECT_EQ(resumed->step_count(), 3);
                }
            } else {
                resumed->step(w2, g, lr);
            }
        }
        for (size_t i = 0; i < w1.size(); ++i) ASSERT_EQ(w1[i], w2[i]) << "element " << i;
        EXPECT_EQ(resumed->serialise(), straight->serialise());
    }
}

TEST(Optimizer, RestoreRejectsForeignOrDamagedState) {
    std::vector<float> w(34, 1.0f), g(34, 0.5f);
    auto adam = rf::make_optimizer("adam", json::object());
    adam->step(w, g, 0.1f);
    std::vector<uint8_t> bytes = adam->serialise();

    auto lion = rf::make_optimizer("lion", json::object());
    EXPECT_THROW(lion->restore(bytes, 34), rf::InputError);           // another optimizer
    auto adam2 = rf::make_optimizer("adam", json::object());
    EXPECT_THROW(adam2->restore(bytes, 35), rf::InputError);          // another model size
    std::vector<uint8_t> cut(bytes.begin(), bytes.end() - 5);
    EXPECT_THROW(adam2->restore(cut, 34), rf::InputError);            // truncated
    std::vector<uint8_t> junk = bytes;
    junk[0] = 'X';
    EXPECT_THROW(adam2->restore(junk, 34), rf::InputError);           // not a state file
    std::vector<uint8_t> longer = bytes;
    longer.push_back(0);
    EXPECT_THROW(adam2->restore(longer, 34), rf::InputError);         // trailing bytes
    auto muon = rf::make_optimizer("muon", {{"adamw_fallback", true}});
    auto muon_plain = rf::make_optimizer("muon", json::object());
    muon->step(w, g, 0.1f);
    EXPECT_THROW(muon_plain->restore(muon->serialise(), 34), rf::InputError);  // other options
    // A failed restore leaves the optimizer usable and unchanged.
    EXPECT_EQ(adam2->step_count(), 0);
    adam2->restore(bytes, 34);
    EXPECT_EQ(adam2->step_count(), 1);
}

std::string error_of(const std::string& name, const json& cfg, const rf::TensorLayout& layout = {}) {
    try {
        auto opt = rf::make_optimizer(name, cfg, layout);
        std::vector<float> w(34, 1.0f), g(34, 1.0f);
        opt->step(w, g, 0.1f);
    } catch (const rf::InputError& e) {
        return e.what();
    }
    return "";
}

TEST(Optimizer, BadConfigNamesTheKey) {
    EXPECT_NE(error_of("adamw", {{"betaz", {0.9, 0.99}}}).find("optimizer_config.adamw.betaz"), std::string::npos);
    EXPECT_NE(error_of("adamw", {{"betaz", {0.9, 0.99}}}).find("did you mean 'betas'"), std::string::npos);
    EXPECT_NE(error_of("adam", {{"betas", {0.9}}}).find("optimizer_config.adam.betas"), std::string::npos);
    EXPECT_NE(error_of("adam", {{"eps", "small"}}).find("expected a number"), std::string::npos);
    EXPECT_NE(error_of("sgd", {{"nesterov", true}}).find("optimizer_config.sgd.nesterov"), std::string::npos);
    EXPECT_NE(error_of("muon", {{"ns_steps", 2.5}}).find("optimizer_config.muon.ns_steps"), std::string::npos);
    EXPECT_NE(error_of("lion", {{"weight_decay", -1}}).find("out of range"), std::string::npos);
    EXPECT_NE(error_of("adam", json::array()).find("optimizer_config.adam"), std::string::npos);
    EXPECT_NE(error_of("adamm", json::object()).find("unknown optimizer 'adamm'"), std::string::npos);
    EXPECT_EQ(error_of("adafactor", nullptr), "");  // null block = all defaults
    rf::TensorLayout overlapping = {rf::TensorView::matrix("a", 0, 3, 5), rf::TensorView::vector("b", 10, 4)};
    EXPECT_NE(error_of("muon", json::object(), overlapping).find("overlaps"), std::string::npos);
    rf::TensorLayout too_long = {rf::TensorView::matrix("a", 30, 3, 5)};
    EXPECT_NE(error_of("adafactor", json::object(), too_long).find("runs past"), std::string::npos);
}

TEST(Optimizer, CompleteLayoutFillsGaps) {
    rf::TensorLayout full = rf::complete_layout(fixture_layout(), 34);
    ASSERT_EQ(full.size(), 4u);
    EXPECT_EQ(full[3].offset, 31u);
    EXPECT_EQ(full[3].size(), 3u);
    EXPECT_FALSE(full[3].is_matrix());
    size_t covered = 0;
    for (const rf::TensorView& v : full) covered += v.size();
    EXPECT_EQ(covered, 34u);
}

TEST(GradClip, MatchesTorchClipGradNorm) {
    for (const json& c : fixture()["clips"]) {
        std::vector<float> g = floats(c["grads"]);
        double norm = rf::clip_grad_norm(g, c["max_norm"].get<double>());
        EXPECT_NEAR(norm, c["norm"].get<double>(), 1e-5 * c["norm"].get<double>());
        for (size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], c["clipped"][i].get<double>(), 1e-6);
    }
}

TEST(GradClip, DisabledOrNonFiniteLeavesGradients) {
    std::vector<float> g = {3.0f, 4.0f};
    EXPECT_DOUBLE_EQ(rf::clip_grad_norm(g, 0.0), 5.0);
    EXPECT_EQ(g[0], 3.0f);
    std::vector<float> bad = {NAN, 1.0f};
    EXPECT_TRUE(std::isnan(rf::clip_grad_norm(bad, 1.0)));
    EXPECT_EQ(bad[1], 1.0f);
}

}  // namespace
