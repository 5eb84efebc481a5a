// The group-sampling driver and the stopping rules, against a fake step model whose logits are a
// known function of each sequence's history (so routing, log-probs and stopping can be checked).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "core/error.h"
#include "sampling/generate.h"

using rf::Completion;
using rf::FinishReason;

namespace {

// Pieces of a toy vocabulary. Ids 8 and 9 are the two bytes of "é" (UTF-8 C3 A9), id 0 is EOS.
const std::vector<std::string> kPieces = {
    "<eos>", "a", "b", " ", "</", "ans", "wer>", "wer>\n", "\xC3", "\xA9", "<answer>", "42", "x", "y", "z", "!"};
const int kV = int(kPieces.size());

// HF-style lossy decode: concatenated bytes, an incomplete UTF-8 tail becomes U+FFFD, EOS skipped.
std::string toy_detok(const std::vector<int>& ids) {
    std::string s;
    for (int id : ids)
        if (id != 0) s += kPieces.at(size_t(id));
    // find an incomplete trailing UTF-8 sequence
    size_t i = s.size();
    int back = 0;
    while (i > 0 && back < 4 && (static_cast<unsigned char>(s[i - 1]) & 0xC0) == 0x80) --i, ++back;
    if (i > 0) {
        unsigned char lead = static_cast<unsigned char>(s[i - 1]);
        int need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
        if (need > back) {
            s.resize(i - 1);
            s += "\xEF\xBF\xBD";
        }
    }
    return s;
}

// Logits as a deterministic function of the history (prompt + generated ids).
std::vector<float> hashed_logits(const std::vector<int>& hist) {
    uint64_t h = 1469598103934665603ULL;
    for (int t : hist) h = (h ^ uint64_t(t + 1)) * 1099511628211ULL;
    rf::Rng r(h);
    std::vector<float> out(static_cast<size_t>(kV));
    for (auto& x : out) x = 1.5f * r.normal();
    out[0] -= 2.0f;  // EOS a bit rarer, so lengths vary
    return out;
}

struct FakeModel : rf::StepModel {
    std::function<std::vector<float>(const std::vector<int>&)> fn = hashed_logits;
    std::vector<std::vector<int>> prompts, hist;
    int prefill_calls = 0;
    size_t prefill_tokens = 0;
    std::vector<size_t> decode_sizes;

    int vocab_size() const override { return kV; }
    void prefill(const std::vector<std::vector<int>>& p, int, std::vector<float>& last) override {
        ++prefill_calls;
        prompts = p;
        last.clear();
        for (auto& x : p) {
            prefill_tokens += x.size();
            auto l = fn(x);
            last.insert(last.end(), l.begin(), l.end());
        }
    }
    void fork(const std::vector<int>& prompt_of) override {
        hist.clear();
        for (int p : prompt_of) hist.push_back(prompts.at(size_t(p)));
    }
    void decode(const std::vector<int>& seqs, const std::vector<int>& tokens, std::vector<float>& logits) override {
        decode_sizes.push_back(seqs.size());
        logits.clear();
        for (size_t i = 0; i < seqs.size(); ++i) {
            hist.at(size_t(seqs[i])).push_back(tokens[i]);
            auto l = fn(hist[size_t(seqs[i])]);
            logits.insert(logits.end(), l.begin(), l.end());
        }
    }
};

// A model that emits a fixed script of tokens (logit +50 on the scripted one), then 'x' forever.
std::function<std::vector<float>(const std::vector<int>&)> scripted(size_t prompt_len, std::vector<int> script) {
    return [=](const std::vector<int>& hist) {
        size_t t = hist.size() - prompt_len;
        std::vector<float> l(size_t(kV), 0.0f);
        l[size_t(t < script.size() ? script[t] : 12)] = 50.0f;
        return l;
    };
}

rf::SamplingParams sampling(float T = 1.0f, float top_p = 1.0f, int top_k = 0) {
    rf::SamplingParams p;
    p.temperature = T;
    p.top_p = top_p;
    p.top_k = top_k;
    return p;
}

rf::StopCriteria stops(int max_len, std::vector<std::string> strings = {}) {
    rf::StopCriteria s;
    s.eos_ids = {0};
    s.stop_strings = std::move(strings);
    s.max_completion_length = max_len;
    return s;
}

const rf::DetokenizeFn kDetok = toy_detok;

}  // namespace

TEST(IncrementalText, HoldsBackHalfCharactersAndMatchesFullDecode) {
    rf::IncrementalText it(kDetok);
    EXPECT_EQ(it.push(1), "a");
    EXPECT_EQ(it.push(8), "");  // first byte of é: held back
    EXPECT_EQ(it.push(9), "\xC3\xA9");
    EXPECT_EQ(it.push(3), " ");
    EXPECT_EQ(it.push(0), "");  // EOS adds no text
    EXPECT_EQ(it.push(11), "42");
    EXPECT_EQ(it.text(), toy_detok({1, 8, 9, 3, 0, 11}));
}

TEST(StopStringMatcher, FindsAcrossGrowthAndPicksEarliest) {
    rf::StopStringMatcher m({"</answer>", "STOP"});
    std::string text;
    for (const char* piece : {"<answer>4", "2</", "ans", "wer", ">tail STOP"}) {
        text += piece;
        size_t end = m.feed(text);
        if (std::string(piece) != ">tail STOP") {
            EXPECT_EQ(end, std::string::npos) << piece;
        } else {
            EXPECT_EQ(end, text.find("</answer>") + 9);
        }
    }
    EXPECT_EQ(rf::find_stop_end("xx STOP yy </answer>", {"</answer>", "STOP"}), 7u);
    rf::StopStringMatcher none({});
    EXPECT_EQ(none.feed("anything"), std::string::npos);
}

TEST(Generate, StopStringSpanningTokensEndsCompletionAndCutsText) {
    FakeModel m;
    const std::vector<int> prompt = {1, 2};
    // "<answer>42</" "ans" "wer>\n" "x"...: the stop string completes inside token 7
    m.fn = scripted(prompt.size(), {10, 11, 4, 5, 7, 12, 12});
    rf::Rng rng(1);
    auto out = rf::generate_batch(m, {prompt}, 2, sampling(), stops(20, {"</answer>"}), kDetok, rng);
    for (const Completion& c : out[0]) {
        EXPECT_EQ(c.ids, (std::vector<int>{10, 11, 4, 5, 7}));
        EXPECT_EQ(c.text, "<answer>42</answer>");  // the "\n" of the last token is cut
        EXPECT_EQ(c.finish, FinishReason::stop_string);
        EXPECT_FALSE(c.truncated);
        EXPECT_EQ(c.logps.size(), c.ids.size());
    }
}

TEST(Generate, EosIsKeptInIdsButNotInText) {
    FakeModel m;
    m.fn = scripted(1, {1, 8, 9, 0, 12});
    rf::Rng rng(2);
    auto out = rf::generate_batch(m, {{3}}, 1, sampling(), stops(10), kDetok, rng);
    const Completion& c = out[0][0];
    EXPECT_EQ(c.ids, (std::vector<int>{1, 8, 9, 0}));
    EXPECT_EQ(c.text, "a\xC3\xA9");
    EXPECT_EQ(c.finish, FinishReason::eos);
    EXPECT_FALSE(c.truncated);
}

TEST(Generate, MaxCompletionLengthTruncates) {
    FakeModel m;
    m.fn = scripted(1, {});  // 'x' forever
    rf::Rng rng(3);
    auto out = rf::generate_batch(m, {{3}}, 3, sampling(), stops(7, {"</answer>"}), kDetok, rng);
    for (const Completion& c : out[0]) {
        EXPECT_EQ(c.ids.size(), 7u);
        EXPECT_TRUE(c.truncated);
        EXPECT_EQ(c.finish, FinishReason::length);
        EXPECT_EQ(c.text, "xxxxxxx");
    }
}

// Every recorded log-prob is log softmax(logits / T) of the fake's logits for that sequence's history.
TEST(Generate, LogprobsAreUnderTheSamplingTemperatureWithPromptAsContext) {
    FakeModel m;
    const std::vector<std::vector<int>> prompts = {{1, 2, 3}, {4}, {5, 6}};
    const float T = 0.7f;
    rf::Rng rng(4);
    auto out = rf::generate_batch(m, prompts, 4, sampling(T, 0.9f, 8), stops(12), kDetok, rng);
    for (size_t p = 0; p < prompts.size(); ++p)
        for (const Completion& c : out[p]) {
            ASSERT_EQ(c.logps.size(), c.ids.size());
            std::vector<int> hist = prompts[p];
            for (size_t t = 0; t < c.ids.size(); ++t) {
                auto l = hashed_logits(hist);
                double m2 = -1e300, s = 0;
                for (float x : l) m2 = std::max(m2, double(x) / T);
                for (float x : l) s += std::exp(double(x) / T - m2);
                double want = double(l[size_t(c.ids[t])]) / T - m2 - std::log(s);
                EXPECT_NEAR(c.logps[t], want, 1e-5);
                hist.push_back(c.ids[t]);
            }
            EXPECT_EQ(c.text, toy_detok(std::vector<int>(c.ids.begin(), c.ids.end() - (c.finish == FinishReason::eos))));
        }
}

TEST(Generate, PrefillsEachPromptOnceAndDecodesTheGroupTogether) {
    FakeModel m;
    const std::vector<std::vector<int>> prompts = {{1, 2, 3, 4, 5}, {6, 7}};
    rf::Rng rng(5);
    auto out = rf::generate_batch(m, prompts, 4, sampling(), stops(9), kDetok, rng);
    EXPECT_EQ(m.prefill_calls, 1);
    EXPECT_EQ(m.prefill_tokens, 7u);  // not 4x
    ASSERT_FALSE(m.decode_sizes.empty());
    EXPECT_LE(m.decode_sizes.front(), 8u);
    for (size_t i = 1; i < m.decode_sizes.size(); ++i) EXPECT_LE(m.decode_sizes[i], m.decode_sizes[i - 1]);
    size_t longest = 0, total = 0;
    for (auto& g : out)
        for (auto& c : g) longest = std::max(longest, c.ids.size()), total += c.ids.size();
    EXPECT_EQ(m.decode_sizes.size(), longest - 1);  // the first token comes from the prefill logits
    size_t fed = 0;
    for (size_t n : m.decode_sizes) fed += n;
    EXPECT_EQ(fed + 8, total);  // each sampled token but the last of each sequence is fed back
}

// A completion depends only on its seed, prompt and model: adding another prompt to the batch (whose
// sequences finish at other times) does not change it; the same seed reproduces everything.
TEST(Generate, ReproducibleAndIndependentOfBatching) {
    const std::vector<int> a = {1, 2}, b = {7, 7, 7};
    auto run = [&](std::vector<std::vector<int>> prompts, uint64_t seed) {
        FakeModel m;
        rf::Rng rng(seed);
        return rf::generate_batch(m, prompts, 3, sampling(0.9f, 0.95f, 10), stops(15), kDetok, rng);
    };
    auto alone = run({a}, 42);
    auto both = run({a, b}, 42);
    auto again = run({a, b}, 42);
    auto other = run({a, b}, 43);
    bool any_diff = false;
    for (int g = 0; g < 3; ++g) {
        EXPECT_EQ(alone[0][size_t(g)].ids, both[0][size_t(g)].ids);
        EXPECT_EQ(alone[0][size_t(g)].logps, both[0][size_t(g)].logps);
        EXPECT_EQ(both[1][size_t(g)].ids, again[1][size_t(g)].ids);
        any_diff |= other[0][size_t(g)].ids != both[0][size_t(g)].ids;
    }
    EXPECT_TRUE(any_diff);
    // completions of one group differ (they are sampled, not copied)
    EXPECT_TRUE(both[0][0].ids != both[0][1].ids || both[0][1].ids != both[0][2].ids);
}

TEST(Generate, GreedyGivesIdenticalGroupAndTemperatureOneLogprobs) {
    FakeModel m;
    rf::Rng rng(6);
    auto out = rf::generate_batch(m, {{1, 2}}, 3, sampling(0.0f), stops(10), kDetok, rng);
    EXPECT_EQ(out[0][0].ids, out[0][1].ids);
    EXPECT_EQ(out[0][1].ids, out[0][2].ids);
    std::vector<int> hist = {1, 2};
    for (size_t t = 0; t < out[0][0].ids.size(); ++t) {
        auto l = hashed_logits(hist);
        EXPECT_EQ(out[0][0].ids[t], rf::argmax(l.data(), kV));
        EXPECT_NEAR(out[0][0].logps[t], rf::sampling_logprob(l.data(), kV, out[0][0].ids[t], 1.0f), 1e-6);
        hist.push_back(out[0][0].ids[t]);
    }
}

TEST(Generate, StreamingDeltasConcatenateToTheFinalText) {
    FakeModel m;
    rf::Rng rng(7);
    std::vector<std::vector<std::string>> streamed(2, std::vector<std::string>(2));
    rf::GenerateHooks hooks;
    hooks.on_text = [&](int p, int g, const std::string& d) { streamed[size_t(p)][size_t(g)] += d; };
    auto out = rf::generate_batch(m, {{1}, {2, 3}}, 2, sampling(), stops(25, {"b!"}), kDetok, rng, hooks);
    for (int p = 0; p < 2; ++p)
        for (int g = 0; g < 2; ++g) EXPECT_EQ(streamed[size_t(p)][size_t(g)], out[size_t(p)][size_t(g)].text);
}

TEST(Generate, CancelEndsEverySequence) {
    FakeModel m;
    m.fn = scripted(1, {});
    rf::Rng rng(8);
    int polls = 0;
    rf::GenerateHooks hooks;
    hooks.cancelled = [&] { return ++polls > 3; };
    auto out = rf::generate_batch(m, {{1}}, 2, sampling(), stops(100), kDetok, rng, hooks);
    for (auto& c : out[0]) {
        EXPECT_TRUE(c.truncated);
        EXPECT_EQ(c.ids.size(), 4u);
    }
}

TEST(Generate, BadArgumentsAreInputErrors) {
    FakeModel m;
    rf::Rng rng(9);
    EXPECT_THROW(rf::generate_batch(m, {{1}}, 0, sampling(), stops(5), kDetok, rng), rf::InputError);
    EXPECT_THROW(rf::generate_batch(m, {{1}}, 2, sampling(), stops(0), kDetok, rng), rf::InputError);
    EXPECT_THROW(rf::generate_batch(m, {{1}}, 2, sampling(-1.0f), stops(5), kDetok, rng), rf::InputError);
    EXPECT_TRUE(rf::generate_batch(m, {}, 2, sampling(), stops(5), kDetok, rng).empty());
}
