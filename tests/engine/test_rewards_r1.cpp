// The five r1_* reward functions against the Python originals: every golden vector of the reference
// notes (§4), and ~220 completions scored by tests/reference/r1_rewards_reference.py (fixture
// tests/fixtures/rewards/r1_cases.json). Python computes in double; the port returns float(score),
// so the comparison is exact equality with the float-rounded expected value.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "rewards/py_str.h"
#include "rewards/r1_rewards.h"
#include "rewards/reward_registry.h"

using namespace rf;
using nlohmann::json;

namespace {

json load_fixture() {
    std::ifstream f(std::string(REINFORGE_FIXTURES) + "/rewards/r1_cases.json");
    EXPECT_TRUE(f.good()) << "missing fixture; run /usr/bin/python3 tests/reference/r1_rewards_reference.py";
    std::stringstream ss;
    ss << f.rdbuf();
    return json::parse(ss.str());
}

std::string from_hex(const std::string& hex) {
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(char(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

std::vector<float> call(const std::string& name, const Strings& p, const Strings& c, const Strings& a) {
    auto fn = make_builtin_reward(name);
    EXPECT_NE(fn, nullptr) << name;
    return fn ? fn->score(p, c, a, {}) : std::vector<float>{};
}

}  // namespace

// Golden vectors quoted in reference/mlx-lora-studio-and-mlx-lm-lora.md §4 (mlx-lm-lora's tests).
TEST(R1Golden, ExtractAnswer) {
    EXPECT_EQ(r1_extract_xml_answer("x<answer> 42 </answer>y"), "42");
    EXPECT_EQ(r1_extract_xml_answer(" plain "), "plain");
}

TEST(R1Golden, Int) {
    Strings c = {"<answer>42</answer>", "<answer>-1</answer>", ""};
    EXPECT_EQ(r1_int_reward_func({"p", "p", "p"}, c, {"", "", ""}, {}), (std::vector<float>{0.5f, 0.0f, 0.0f}));
}

TEST(R1Golden, Accuracy) {
    Strings c = {"<answer>yes</answer>", "<answer>no</answer>", ""};
    EXPECT_EQ(r1_accuracy_reward_func({"p", "p", "p"}, c, {"yes", "yes", ""}, {}),
              (std::vector<float>{2.0f, 0.0f, 0.0f}));
}

TEST(R1Golden, Soft) {
    Strings c = {"<think>reason</think>\n<answer>42</answer>", "<think></think>\n<answer>42</answer>",
                 "<answer>42</answer><think>reason</think>", ""};
    EXPECT_EQ(r1_soft_format_reward_func({"p", "p", "p", "p"}, c, {}, {}),
              (std::vector<float>{0.5f, 0.0f, 0.0f, 0.0f}));
}

TEST(R1Golden, Strict) {
    Strings c = {"<think> reason </think> <answer> 42 </answer>", "<think>reason</think><answer>42</answer>"};
    EXPECT_EQ(r1_strict_format_reward_func({"p", "p"}, c, {}, {}), (std::vector<float>{0.5f, 0.0f}));
}

TEST(R1Golden, CountXml) {
    Strings c = {"<think>\nreason</think><answer>42</answer>", "<think>\nreason</think><answer>42</answer>extra",
                 "</answer>" + std::string(500, 'x')};
    std::vector<float> got = r1_count_xml({"p", "p", "p"}, c, {}, {});
    EXPECT_EQ(got, (std::vector<float>{0.5f, float(0.5 - 5 * 0.001), 0.0f}));
    EXPECT_NEAR(got[1], 0.495f, 1e-7f);
}

// ~220 completions against the Python reference: exact (float-rounded) equality.
TEST(R1Reference, AllCasesMatchPython) {
    json fx = load_fixture();
    ASSERT_TRUE(fx.contains("cases"));
    Strings prompts, completions, answers;
    for (const json& c : fx["cases"]) {
        prompts.push_back(c["prompt"]);
        answers.push_back(c["answer"]);
        completions.push_back(c.contains("completion_hex") ? from_hex(c["completion_hex"]) : c["completion"].get<std::string>());
    }
    ASSERT_GE(completions.size(), 200u);
    for (const BuiltinReward& b : builtin_rewards()) {
        std::vector<float> got = b.fn(prompts, completions, answers, {});
        ASSERT_EQ(got.size(), completions.size()) << b.name;
        int mismatches = 0;
        for (size_t i = 0; i < got.size(); ++i) {
            float want = float(fx["cases"][i]["expected"][b.name].get<double>());
            if (got[i] != want) {
                ++mismatches;
                ADD_FAILURE() << b.name << " case " << i << " completion " << json(completions[i]).dump(-1, ' ', false, json::error_handler_t::replace)
                              << ": got " << got[i] << ", python " << want;
            }
        }
        EXPECT_EQ(mismatches, 0) << b.name;
    }
}

TEST(R1Reference, ExtractMatchesPython) {
    json fx = load_fixture();
    for (const json& c : fx["cases"]) {
        if (c.contains("completion_hex")) continue;  // Python saw U+FFFD there, we keep the raw bytes
        EXPECT_EQ(std::string(r1_extract_xml_answer(c["completion"].get<std::string>())), c["extracted"].get<std::string>());
    }
}

// Whole-list edge calls: empty completions / answers give zeros of len(prompts); zip() truncates.
TEST(R1Reference, EdgeCallsMatchPython) {
    json fx = load_fixture();
    ASSERT_TRUE(fx.contains("calls"));
    for (const json& c : fx["calls"]) {
        std::vector<float> got = call(c["function"], c["prompts"], c["completions"], c["answers"]);
        std::vector<float> want;
        for (const json& v : c["expected"]) want.push_back(float(v.get<double>()));
        EXPECT_EQ(got, want) << c.dump();
    }
}

TEST(PyStr, DecodeMaximalSubparts) {
    // CPython: b"\xe2\x82".decode("utf-8","replace") is one U+FFFD; b"\xed\xa0\x80" is three.
    EXPECT_EQ(py::len("\xe2\x82"), 1u);
    EXPECT_EQ(py::len("\xed\xa0\x80"), 3u);
    EXPECT_EQ(py::len("\xf0\x9f\x98"), 1u);
    EXPECT_EQ(py::len("\xe0\x80\xaf"), 3u);
    EXPECT_EQ(py::len("\xf4\x90\x80\x80"), 4u);
    EXPECT_EQ(py::len("a\xc3"), 2u);
    EXPECT_EQ(py::len("\xf0\x9f\x98\x80\xc3\xa9"), 2u);  // emoji + é
}

TEST(PyStr, StripAndDigits) {
    EXPECT_EQ(py::strip("\xe3\x80\x80 42\xc2\xa0"), "42");            // U+3000, NBSP
    EXPECT_EQ(py::strip("\xe2\x80\x8b" "42"), "\xe2\x80\x8b" "42");   // ZWSP is not whitespace
    EXPECT_EQ(py::strip(" \t\n "), "");
    EXPECT_TRUE(py::isdigit("\xd9\xa3"));   // Arabic-Indic three
    EXPECT_TRUE(py::isdigit("\xc2\xb2"));   // superscript two
    EXPECT_FALSE(py::isdigit("\xc2\xbd"));  // one half: numeric, not a digit
    EXPECT_FALSE(py::isdigit("-1"));
    EXPECT_FALSE(py::isdigit(""));
    EXPECT_EQ(py::split_last("aaa", "aa"), "a");  // "aaa".split("aa")[-1] == "a"
    EXPECT_EQ(py::count("aaaa", "aa"), 2u);
}
