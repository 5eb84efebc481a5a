// Datasets: formats by mode, column overrides, errors with file/line/field and did-you-mean,
// folders / shards / HF cache ids, on-demand reading of large files, shuffled resumable epochs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include <sys/resource.h>
#include <unistd.h>
#include <set>

#include "config/run_config.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "data/dataset.h"
#include "data/epoch_sampler.h"

namespace {

namespace fs = std::filesystem;

class DatasetTest : public ::testing::Test {
protected:
    fs::path dir;
    void SetUp() override {
        dir = fs::temp_directory_path() / ("rf_ds_" + std::to_string(::getpid()) + "_" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    void TearDown() override { fs::remove_all(dir); }
    std::string write(const std::string& name, const std::string& content) {
        fs::path p = dir / name;
        fs::create_directories(p.parent_path());
        rf::write_file_atomic(p.string(), content);
        return p.string();
    }
    // Runs `f`, expects an InputError, returns it.
    template <class F>
    rf::InputError error_of(F&& f) {
        try {
            f();
        } catch (const rf::InputError& e) {
            return e;
        }
        ADD_FAILURE() << "expected an InputError";
        return rf::InputError("none");
    }
};

TEST_F(DatasetTest, GrpoRowsStringAndListPrompts) {
    std::string f = write("g.jsonl",
                          "{\"prompt\": \"What is 2+3?\", \"answer\": 5, \"type\": \"math\"}\n"
                          "\n"
                          "{\"prompt\": [{\"role\": \"system\", \"content\": \"S\"}, {\"role\": \"user\", \"content\": \"Q2\"}], \"answer\": \"x\"}\r\n"
                          "{\"prompt\": \"Q3\", \"answer\": \"y\", \"system\": \"Be brief.\"}");
    rf::Dataset d({f}, {}, rf::DatasetKind::grpo);
    ASSERT_EQ(d.size(), 3u);
    rf::DatasetRow r0 = d.row(0), r1 = d.row(1), r2 = d.row(2);
    EXPECT_EQ(r0.prompt_text, "What is 2+3?");
    EXPECT_EQ(r0.answer, "5");
    EXPECT_EQ(r0.type, "math");
    EXPECT_EQ(r0.line, 1);
    EXPECT_EQ(r1.line, 3);  // the blank line 2 is not a row
    EXPECT_EQ(r1.prompt_text, "Q2");
    ASSERT_EQ(r1.prompt.size(), 2u);
    EXPECT_EQ(r2.line, 4);
    // system: default for GRPO, the column when given, the list's own system message first
    auto m0 = rf::prompt_messages(r0, rf::DatasetKind::grpo);
    ASSERT_EQ(m0.size(), 2u);
    EXPECT_EQ(m0[0].content, rf::kGrpoDefaultSystemPrompt);
    auto m1 = rf::prompt_messages(r1, rf::DatasetKind::grpo);
    ASSERT_EQ(m1.size(), 2u);
    EXPECT_EQ(m1[0].content, "S");
    auto m2 = rf::prompt_messages(r2, rf::DatasetKind::grpo);
    EXPECT_EQ(m2[0].content, "Be brief.");
    EXPECT_EQ(rf::prompt_messages(r0, rf::DatasetKind::prompts).size(), 1u);  // no default outside GRPO
}

TEST_F(DatasetTest, ColumnOverrides) {
    std::string f = write("o.jsonl", "{\"question\": \"Q\", \"solution\": \"A\", \"kind\": \"k\", \"sys\": \"S\"}\n");
    rf::DatasetColumns cols;
    cols.prompt = "question";
    cols.answer = "solution";
    cols.type = "kind";
    cols.system = "sys";
    rf::Dataset d({f}, cols, rf::DatasetKind::grpo);
    rf::DatasetRow r = d.row(0);
    EXPECT_EQ(r.prompt_text, "Q");
    EXPECT_EQ(r.answer, "A");
    EXPECT_EQ(r.type, "k");
    EXPECT_EQ(r.system, "S");
}

TEST_F(DatasetTest, SftFormats) {
    std::string f = write("s.jsonl",
                          "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"hello\"}]}\n"
                          "{\"prompt\": \"p\", \"completion\": \"c\"}\n"
                          "{\"text\": \"plain text\"}\n");
    rf::Dataset d({f}, {}, rf::DatasetKind::sft);
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d.row(0).messages.size(), 2u);
    EXPECT_EQ(d.row(1).completion, "c");
    EXPECT_EQ(d.row(1).prompt[0].content, "p");
    EXPECT_EQ(d.row(2).text, "plain text");
}

TEST_F(DatasetTest, PreferenceRows) {
    std::string f = write("p.jsonl",
                          "{\"prompt\": \"p\", \"chosen\": \"good\", \"rejected\": \"bad\", \"preference_score\": 0.5}\n"
                          "{\"prompt\": \"p\", \"chosen\": [{\"role\": \"user\", \"content\": \"p\"}, {\"role\": \"assistant\", \"content\": \"g2\"}], "
                          "\"rejected\": {\"messages\": [{\"role\": \"assistant\", \"content\": \"b2\"}]}}\n");
    rf::Dataset d({f}, {}, rf::DatasetKind::preference);
    EXPECT_EQ(d.row(0).chosen, "good");
    EXPECT_DOUBLE_EQ(d.row(0).preference_score, 0.5);
    EXPECT_EQ(d.row(1).chosen, "g2");
    EXPECT_EQ(d.row(1).rejected, "b2");
    EXPECT_DOUBLE_EQ(d.row(1).preference_score, 1.0);
}

TEST_F(DatasetTest, ErrorsNameFileLineFieldAndSuggest) {
    std::string f = write("bad.jsonl", "{\"prompt\": \"ok\", \"answer\": \"1\"}\n{\"prompt\": \"q\", \"anwser\": \"2\"}\n");
    rf::InputError e = error_of([&] { rf::Dataset({f}, {}, rf::DatasetKind::grpo); });
    EXPECT_EQ(e.file, f);
    EXPECT_EQ(e.line, 2);
    EXPECT_EQ(e.key, "answer");
    EXPECT_NE(e.hint.find("anwser"), std::string::npos) << e.what();
    EXPECT_NE(e.hint.find("answer_feature"), std::string::npos) << e.what();

    std::string g = write("bad2.jsonl", "{\"prompt\": \"ok\", \"answer\": \"1\"}\n\n{\"prompt\": \"q\", \"answer\": \n");
    e = error_of([&] { rf::Dataset({g}, {}, rf::DatasetKind::grpo); });
    EXPECT_EQ(e.line, 3);
    EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos);

    struct Case { const char* row; const char* key; rf::DatasetKind kind; };
    const Case cases[] = {
        {"[1, 2]", "", rf::DatasetKind::prompts},
        {"{\"prompt\": 5}", "prompt", rf::DatasetKind::prompts},
        {"{\"prompt\": [{\"role\": \"user\"}]}", "prompt[0]", rf::DatasetKind::prompts},
        {"{\"prompt\": []}", "prompt", rf::DatasetKind::prompts},
        {"{\"Prompt\": \"x\"}", "prompt", rf::DatasetKind::prompts},
        {"{\"prompt\": \"x\", \"answer\": {\"a\": 1}}", "answer", rf::DatasetKind::grpo},
        {"{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "messages", rf::DatasetKind::sft},
        {"{\"prompt\": \"p\"}", "", rf::DatasetKind::sft},
        {"{\"prompt\": \"p\", \"chosen\": \"c\"}", "rejected", rf::DatasetKind::preference},
    };
    for (const Case& c : cases) {
        std::string h = write("c.jsonl", std::string(c.row) + "\n");
        rf::InputError err = error_of([&] { rf::Dataset({h}, {}, c.kind); });
        EXPECT_EQ(err.line, 1) << c.row;
        EXPECT_EQ(err.key, c.key) << c.row << ": " << err.what();
        EXPECT_NE(std::string(err.what()).find("c.jsonl"), std::string::npos) << err.what();
    }
    // "Prompt" is suggested for "prompt"
    std::string h = write("d.jsonl", "{\"Prompt\": \"x\"}\n");
    e = error_of([&] { rf::Dataset({h}, {}, rf::DatasetKind::prompts); });
    EXPECT_NE(e.hint.find("'Prompt'"), std::string::npos) << e.what();
}

TEST_F(DatasetTest, SkipBadRowsCountsThem) {
    std::string f = write("m.jsonl", "{\"prompt\": \"a\"}\n{oops\n{\"prompt\": \"b\"}\n{\"nope\": 1}\n");
    rf::DatasetOptions opts;
    opts.skip_bad_rows = true;
    rf::Dataset d({f}, {}, rf::DatasetKind::prompts, opts);
    EXPECT_EQ(d.size(), 2u);
    EXPECT_EQ(d.skipped(), 2u);
    ASSERT_EQ(d.problems().size(), 2u);
    EXPECT_NE(d.problems()[0].find(":2:"), std::string::npos) << d.problems()[0];
    EXPECT_EQ(d.row(1).prompt_text, "b");
    std::string all_bad = write("z.jsonl", "{oops\n");
    EXPECT_THROW(rf::Dataset({all_bad}, {}, rf::DatasetKind::prompts, opts), rf::InputError);
}

TEST_F(DatasetTest, FolderSplitsShardsAndValidationName) {
    write("folder/train.jsonl", "{\"prompt\": \"t1\"}\n{\"prompt\": \"t2\"}\n");
    write("folder/valid.jsonl", "{\"prompt\": \"v\"}\n");
    write("folder/test.jsonl", "{\"prompt\": \"x\"}\n");
    rf::DatasetSet s = rf::open_dataset((dir / "folder").string(), {}, rf::DatasetKind::prompts);
    EXPECT_EQ(s.train.size(), 2u);
    EXPECT_EQ(s.valid.size(), 1u);
    EXPECT_EQ(s.test.size(), 1u);
    // HF layout: data/train-0000x-of-0000N.jsonl shards and a "validation" split
    write("hf/data/train-00001-of-00002.jsonl", "{\"prompt\": \"b\"}\n");
    write("hf/data/train-00000-of-00002.jsonl", "{\"prompt\": \"a\"}\n");
    write("hf/data/validation-00000-of-00001.jsonl", "{\"prompt\": \"v\"}\n");
    rf::DatasetSet h = rf::open_dataset((dir / "hf").string(), {}, rf::DatasetKind::prompts);
    ASSERT_EQ(h.train.size(), 2u);
    EXPECT_EQ(h.train.row(0).prompt_text, "a");  // shards in order
    EXPECT_EQ(h.valid.size(), 1u);
    EXPECT_TRUE(h.test.empty());
    // a single file is the training split
    rf::DatasetSet one = rf::open_dataset((dir / "folder/train.jsonl").string(), {}, rf::DatasetKind::prompts);
    EXPECT_EQ(one.train.size(), 2u);
    EXPECT_TRUE(one.valid.empty());
    // missing train.jsonl / missing folder
    write("empty/readme.md", "x");
    EXPECT_THROW(rf::open_dataset((dir / "empty").string(), {}, rf::DatasetKind::prompts), rf::InputError);
    EXPECT_THROW(rf::open_dataset((dir / "nowhere/x.jsonl").string(), {}, rf::DatasetKind::prompts), rf::InputError);
}

TEST_F(DatasetTest, HfDatasetIdFromTheLocalCache) {
    fs::path hub = dir / "hub";
    write("hub/datasets--acme--math/refs/main", "abc123");
    write("hub/datasets--acme--math/snapshots/abc123/train.jsonl", "{\"prompt\": \"p\", \"answer\": \"1\"}\n");
    const char* old = std::getenv("HF_HUB_CACHE");
    std::string saved = old ? old : "";
    ::setenv("HF_HUB_CACHE", hub.c_str(), 1);
    rf::DatasetSet s = rf::open_dataset("acme/math", {}, rf::DatasetKind::grpo);
    EXPECT_EQ(s.train.size(), 1u);
    ::setenv("HF_HUB_OFFLINE", "1", 1);  // else an absent id is downloaded (test_hub_client.cpp)
    rf::InputError e = error_of([&] { rf::open_dataset("acme/absent", {}, rf::DatasetKind::grpo); });
    ::unsetenv("HF_HUB_OFFLINE");
    EXPECT_NE(std::string(e.what()).find(hub.string()), std::string::npos) << e.what();
    if (old) ::setenv("HF_HUB_CACHE", saved.c_str(), 1);
    else ::unsetenv("HF_HUB_CACHE");
}

// Files at or above the streaming threshold (1 GiB in production; lowered here) are indexed in one
// pass and read row by row from disk; they must give exactly the rows of the in-memory path.
// The memory bomb of issue 18: one 200 MB line. Refused before it is parsed, with the file and the
// line named; the process's peak memory stays near the file's size (the file is indexed in memory).
TEST_F(DatasetTest, AHugeRowIsRefusedBeforeItIsParsed) {
    std::string huge = "{\"prompt\": \"" + std::string(size_t(200) << 20, 'x') + "\", \"answer\": \"1\"}";
    std::string f = write("bomb.jsonl", "{\"prompt\": \"ok\", \"answer\": \"1\"}\n" + huge + "\n");
    huge.clear();
    huge.shrink_to_fit();
    rusage before{};
    ::getrusage(RUSAGE_SELF, &before);
    rf::InputError e = error_of([&] { rf::open_dataset(f, {}, rf::DatasetKind::grpo); });
    rusage after{};
    ::getrusage(RUSAGE_SELF, &after);
    EXPECT_EQ(e.line, 2);
    EXPECT_NE(e.message.find("200 MiB"), std::string::npos) << e.what();
    EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 300 * 1024) << "peak grew by " << (after.ru_maxrss - before.ru_maxrss) / 1024 << " MiB";
    rf::DatasetOptions skip;
    skip.skip_bad_rows = true;
    EXPECT_EQ(rf::open_dataset(f, {}, rf::DatasetKind::grpo, skip).train.size(), 1u);
}

TEST_F(DatasetTest, StreamingReadsTheSameRows) {
    std::string content = "\xEF\xBB\xBF";  // BOM
    for (int i = 0; i < 2000; ++i) {
        content += "{\"prompt\": \"question " + std::to_string(i) + " ü 中\", \"answer\": \"" + std::to_string(i * 7) + "\"}";
        content += (i % 3 == 0) ? "\r\n" : "\n";
        if (i % 100 == 0) content += "   \n";
    }
    std::string f = write("big.jsonl", content);
    rf::JsonlFile mem(f), disk(f, 1);
    EXPECT_FALSE(mem.streaming());
    EXPECT_TRUE(disk.streaming());
    ASSERT_EQ(mem.size(), 2000u);
    ASSERT_EQ(disk.size(), 2000u);
    for (size_t i = 0; i < mem.size(); ++i) {
        ASSERT_EQ(mem.row(i), disk.row(i));
        ASSERT_EQ(mem.line(i), disk.line(i));
    }
    rf::DatasetOptions opts;
    opts.stream_threshold = 1;
    rf::Dataset d({f}, {}, rf::DatasetKind::grpo, opts);
    ASSERT_EQ(d.size(), 2000u);
    EXPECT_EQ(d.row(1999).answer, std::to_string(1999 * 7));
    EXPECT_EQ(d.row(0).prompt_text, "question 0 ü 中");
    EXPECT_EQ(d.row(101).line, mem.line(101));
}

TEST(EpochSampler, EachEpochIsAPermutationAndEpochsDiffer) {
    const size_t n = 257;
    rf::EpochSampler s(n, 42);
    std::vector<std::vector<size_t>> epochs(3);
    for (auto& e : epochs) {
        for (size_t k = 0; k < n; ++k) e.push_back(s.next());
        std::vector<size_t> sorted = e;
        std::sort(sorted.begin(), sorted.end());
        for (size_t k = 0; k < n; ++k) ASSERT_EQ(sorted[k], k);
    }
    EXPECT_NE(epochs[0], epochs[1]);
    EXPECT_NE(epochs[1], epochs[2]);
    rf::EpochSampler same(n, 42), other(n, 43);
    EXPECT_EQ(same.order(0), epochs[0]);
    EXPECT_NE(other.order(0), epochs[0]);
    rf::EpochSampler plain(5, 42, false);
    EXPECT_EQ(plain.next_batch(7), (std::vector<size_t>{0, 1, 2, 3, 4, 0, 1}));
}

TEST(EpochSampler, ResumeContinuesExactly) {
    rf::EpochSampler a(10, 7);
    a.next_batch(23);  // two epochs and three rows
    rf::DataPosition p = a.position();
    EXPECT_EQ(p.epoch, 2u);
    EXPECT_EQ(p.index, 3u);
    rf::DataPosition q = rf::DataPosition::parse(p.to_string(), "state");
    rf::EpochSampler b(10, 7);
    b.restore(q);
    EXPECT_EQ(a.next_batch(25), b.next_batch(25));
    EXPECT_THROW(b.restore({0, 11}), rf::InputError);
    EXPECT_THROW(rf::DataPosition::parse("3-4", "state"), rf::InputError);
}

}  // namespace
