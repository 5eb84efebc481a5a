// LLM judge prompts and verdict parsing: templates filled as Python's str.format fills them (fixture
// from tests/reference/judge_templates_reference.py), template validation, and the robust parsing of
// pairwise (0/1) and scalar (0..10) replies, as a table of replies real models give.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "judge/judge_prompts.h"

using namespace rf;

TEST(JudgeTemplate, FillMatchesPythonFormat) {
    std::ifstream f(std::string(REINFORGE_FIXTURES) + "/rewards/judge_templates.json");
    ASSERT_TRUE(f.good());
    std::stringstream ss;
    ss << f.rdbuf();
    auto fx = nlohmann::json::parse(ss.str());
    ASSERT_GE(fx["cases"].size(), 10u);
    for (const auto& c : fx["cases"]) {
        std::map<std::string, std::string> values = c["values"];
        EXPECT_EQ(fill_template(c["template"].get<std::string>(), values), c["expected"].get<std::string>())
            << c["template"];
    }
}

TEST(JudgeTemplate, LenientWhereStrFormatWouldRaise) {
    EXPECT_EQ(fill_template("{unknown} {prompt} {", {{"prompt", "P"}}), "{unknown} P {");
    EXPECT_EQ(fill_template("a } b", {}), "a } b");
}

TEST(JudgeTemplate, Validation) {
    EXPECT_FALSE(check_judge_template(kDefaultPairwiseTemplate, JudgeMode::pairwise));
    EXPECT_FALSE(check_judge_template(kDefaultScalarTemplate, JudgeMode::scalar));
    EXPECT_TRUE(check_judge_template("{prompt} {response0} {response1}", JudgeMode::scalar));  // two per call
    EXPECT_FALSE(check_judge_template("{prompt} {response}", JudgeMode::scalar));
    try {
        check_judge_template("{prompt} {response0} and {{response1}}", JudgeMode::pairwise);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.key, "judge_config.system_prompt");
    }
    EXPECT_THROW(check_judge_template("rate {prompt}", JudgeMode::scalar), InputError);
}

TEST(JudgeParse, StripReasoning) {
    EXPECT_EQ(strip_reasoning("<think>\n0 looks good but\n</think>\n\n1"), "1");
    EXPECT_EQ(strip_reasoning("hmm </think> 0"), "0");  // the template opened the block
    EXPECT_EQ(strip_reasoning("<think>I was cut off before"), "");
    EXPECT_EQ(strip_reasoning("  7 \n"), "7");
}

TEST(JudgeParse, Pairwise) {
    struct Case {
        const char* reply;
        int want;  // -1: no verdict
    } cases[] = {
        {"0", 0},
        {"1", 1},
        {" 1\n", 1},
        {"**1**", 1},
        {"\"0\"", 0},
        {"[[1]]", 1},
        {"1.", 1},
        {"Assistant 1", 1},
        {"Response 0", 0},
        {"<think>Both fine; 0 is shorter.</think>1", 1},
        {"{\"winner\": 1}", 1},
        {"{\"model_identifier\": \"0\"}", 0},
        {"```json\n{\"choice\": \"1\"}\n```", 1},
        {"1\n\nAssistant 1 answers the question directly.", 1},
        {"0 - it is correct", 0},
        {"Assistant 1 is better because it shows its work.", 1},
        {"Both are close. Final answer: 0", 0},
        {"The better response is Response 1.", 1},
        {"I prefer assistant 0.", 0},
        {"Verdict: [[0]]", 0},
        {"", -1},
        {"I cannot decide.", -1},
        {"2", -1},
        {"10", -1},
        {"<think>thinking about 0 and 1 but never finishing", -1},
        {"Both answers are wrong.", -1},
    };
    for (const Case& c : cases) {
        auto got = parse_pair_verdict(c.reply);
        if (c.want < 0)
            EXPECT_FALSE(got.has_value()) << c.reply << " -> " << *got;
        else
            EXPECT_EQ(got, std::optional<int>(c.want)) << c.reply;
    }
}

TEST(JudgeParse, Scalar) {
    struct Case {
        const char* reply;
        float want;  // < 0: no verdict
    } cases[] = {
        {"7", 7.f},
        {"7.5", 7.5f},
        {" **8** ", 8.f},
        {"10", 10.f},
        {"0", 0.f},
        {"8/10", 8.f},
        {"I'd give it 6 out of 10.", 6.f},
        {"Score: 9", 9.f},
        {"Rating: **4**", 4.f},
        {"{\"score\": 3}", 3.f},
        {"{\"score\": \"5.5\"}", 5.5f},
        {"{\"scores\": [{\"model_identifier\": \"0\", \"score\": 6.0}]}", 6.f},
        {"<think>It is ok, maybe 3.</think>Score: 5", 5.f},
        {"9\nThe answer is right and clear.", 9.f},
        {"The answer has 3 mistakes. Score: 2/10", 2.f},
        {"11", -1.f},
        {"-3", -1.f},
        {"Score: 12", -1.f},
        {"good", -1.f},
        {"", -1.f},
    };
    for (const Case& c : cases) {
        auto got = parse_scalar_verdict(c.reply);
        if (c.want < 0)
            EXPECT_FALSE(got.has_value()) << c.reply << " -> " << *got;
        else
            EXPECT_EQ(got, std::optional<float>(c.want)) << c.reply;
    }
}

TEST(JudgeParse, PairScoresJson) {
    auto s = parse_pair_scores(
        "Here: {\"scores\": [{\"model_identifier\": \"1\", \"score\": 7.5}, {\"model_identifier\": \"0\", \"score\": 2}]}");
    ASSERT_TRUE(s);
    EXPECT_EQ((*s)[0], 2.f);
    EXPECT_EQ((*s)[1], 7.5f);
    EXPECT_TRUE(parse_pair_scores("{\"0\": 1, \"1\": \"9\"}"));
    EXPECT_FALSE(parse_pair_scores("{\"scores\": [{\"model_identifier\": \"0\", \"score\": 2}]}"));  // one missing
    EXPECT_FALSE(parse_pair_scores("{\"0\": 1, \"1\": 42}"));                                       // out of range
    EXPECT_FALSE(parse_pair_scores("no json"));
}
