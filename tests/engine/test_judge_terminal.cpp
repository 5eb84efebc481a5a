// The CLI's terminal human judge (app/cli_human_judge.cpp, compiled in here: it is Qt-free and has
// no CLI registration) driven through a pipe: answers, re-asking on nonsense, stop while waiting,
// EOF; and the end-to-end path HumanJudge -> judge_pairs -> judgments.jsonl -> preferences.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "../../app/cli_human_judge.cpp"
#include "core/atomic_file.h"
#include "core/rng.h"
#include "judge/judge_runner.h"
#include "judge/preferences.h"

using namespace rf;
namespace fs = std::filesystem;

namespace {

struct Pipe {
    int r = -1, w = -1;
    Pipe() {
        int fd[2];
        EXPECT_EQ(::pipe(fd), 0);
        r = fd[0], w = fd[1];
    }
    ~Pipe() {
        if (r >= 0) ::close(r);
        close_write();
    }
    void send(const std::string& s) { EXPECT_EQ(::write(w, s.data(), s.size()), ssize_t(s.size())); }
    void close_write() {
        if (w >= 0) ::close(w);
        w = -1;
    }
};

std::FILE* null_out() { return std::fopen("/dev/null", "w"); }

}  // namespace

TEST(TerminalAsker, ParsesAnswers) {
    EXPECT_EQ(cli::parse_pair_answer(" 1 "), Winner::first);
    EXPECT_EQ(cli::parse_pair_answer("B"), Winner::second);
    EXPECT_EQ(cli::parse_pair_answer("tie"), Winner::tie);
    EXPECT_EQ(cli::parse_pair_answer("s\r"), Winner::skip);
    EXPECT_FALSE(cli::parse_pair_answer("3"));
    EXPECT_FALSE(cli::parse_pair_answer(""));
    EXPECT_EQ(cli::parse_scalar_answer("7.5")->score, 7.5f);
    EXPECT_TRUE(cli::parse_scalar_answer("skip")->skip);
    EXPECT_FALSE(cli::parse_scalar_answer("11"));
    EXPECT_FALSE(cli::parse_scalar_answer("-1"));
    EXPECT_FALSE(cli::parse_scalar_answer("7x"));
}

TEST(TerminalAsker, AsksAgainUntilAValidAnswer) {
    Pipe p;
    std::FILE* out = std::tmpfile();
    cli::TerminalAsker asker(p.r, out);
    std::atomic<bool> stop{false};
    p.send("maybe\n2\nnine\n9\n");
    EXPECT_EQ(asker.ask_pair({"Q?", {"first text", "second text"}, "", ""}, 0, 2, stop), Winner::second);
    auto s = asker.ask_scalar({"Q?", "only", "", ""}, 1, 2, stop);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->score, 9.f);
    std::rewind(out);
    std::string shown(4096, '\0');
    shown.resize(std::fread(shown.data(), 1, shown.size(), out));
    std::fclose(out);
    EXPECT_NE(shown.find("verdict 1 of 2"), std::string::npos);
    EXPECT_NE(shown.find("first text"), std::string::npos);
    EXPECT_NE(shown.find("'maybe' is not an answer"), std::string::npos) << shown;
    EXPECT_NE(shown.find("'nine' is not a score"), std::string::npos) << shown;
}

TEST(TerminalAsker, StopWhileWaitingReturnsQuickly) {
    Pipe p;  // nobody types
    std::FILE* out = null_out();
    cli::TerminalAsker asker(p.r, out);
    std::atomic<bool> stop{false};
    std::thread t([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        stop = true;
    });
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_FALSE(asker.ask_pair({"Q", {"a", "b"}, "", ""}, 0, 1, stop));
    t.join();
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 0.6);
    std::fclose(out);
}

TEST(TerminalAsker, EndOfInputIsAClearError) {
    Pipe p;
    std::FILE* out = null_out();
    cli::TerminalAsker asker(p.r, out);
    std::atomic<bool> stop{false};
    p.send("1");  // last answer without newline still counts
    p.close_write();
    EXPECT_EQ(asker.ask_pair({"Q", {"a", "b"}, "", ""}, 0, 2, stop), Winner::first);
    try {
        asker.ask_pair({"Q", {"a", "b"}, "", ""}, 1, 2, stop);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("stdin was closed"), std::string::npos);
    }
    std::fclose(out);
}

// A person at the terminal judges 4 pairs; the verdicts land in judgments.jsonl and export as DPO rows.
TEST(TerminalAsker, VerdictsToPreferences) {
    fs::path dir = fs::temp_directory_path() / ("rf_terminal_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string log_path = (dir / "judgments.jsonl").string();
    Pipe p;
    std::FILE* out = null_out();
    cli::TerminalAsker asker(p.r, out);
    std::atomic<bool> stop{false};
    HumanJudge judge(asker, stop);
    JudgmentLog log(log_path);
    Rng rng(9);
    std::vector<PairItem> items = {{"p0", {"x0", "y0"}, "", ""}, {"p1", {"x1", "y1"}, "", ""},
                                   {"p2", {"x2", "y2"}, "", ""}, {"p3", {"x3", "y3"}, "", ""}};
    p.send("a\nb\nt\ns\n");
    auto v = judge_pairs(judge, items, rng, {4, "train", &log, nullptr});
    std::fclose(out);
    // What the person chose is A/B of the shown order; un-swapped, the chosen text is known.
    ASSERT_EQ(v.size(), 4u);
    EXPECT_EQ(v[0].chosen(), v[0].swapped ? 1 : 0);
    EXPECT_EQ(v[1].chosen(), v[1].swapped ? 0 : 1);
    EXPECT_EQ(v[2].winner, Winner::tie);
    EXPECT_EQ(v[3].winner, Winner::skip);

    PreferenceExport ex = collect_preferences(log_path, false);
    ASSERT_EQ(ex.rows.size(), 2u);
    EXPECT_EQ(ex.pairwise, 4);
    EXPECT_EQ(ex.undecided, 2);
    EXPECT_EQ(ex.rows[0].prompt, "p0");
    EXPECT_EQ(ex.rows[0].chosen, items[0].completions[size_t(v[0].chosen())]);
    EXPECT_EQ(ex.rows[1].rejected, items[1].completions[size_t(1 - v[1].chosen())]);
    EXPECT_EQ(preferences_jsonl(ex.rows).substr(0, 12), "{\"prompt\":\"p");
    fs::remove_all(dir);
}

TEST(Preferences, FiltersJudgesAndReportsBadLines) {
    fs::path dir = fs::temp_directory_path() / ("rf_prefs_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string path = (dir / "judgments.jsonl").string();
    const std::string human = R"({"step":1,"kind":"pairwise","judge":"human","prompt":"p","completions":["a","b"],"verdict":{"winner":"1","failed":false}})";
    const std::string llm = R"({"step":1,"kind":"pairwise","judge":"http:m@u","prompt":"q","completions":["c","d"],"verdict":{"winner":"0","failed":false}})";
    const std::string failed = R"({"step":2,"kind":"pairwise","judge":"http:m@u","prompt":"q","completions":["c","d"],"verdict":{"winner":"skip","failed":true}})";
    const std::string scalar = R"({"step":2,"kind":"scalar","judge":"human","prompt":"q","completions":["c"],"verdict":{"score":3}})";
    write_file_atomic(path, human + "\n" + llm + "\n\n" + failed + "\n" + scalar + "\n" + "{\"step\":3,\"ki");
    PreferenceExport h = collect_preferences(path, false);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].chosen, "b");
    EXPECT_EQ(h.rows[0].rejected, "a");
    EXPECT_EQ(h.other_judges, 2);
    EXPECT_TRUE(h.truncated_tail);
    PreferenceExport all = collect_preferences(path, true);
    ASSERT_EQ(all.rows.size(), 2u);
    EXPECT_EQ(all.rows[1].chosen, "c");
    EXPECT_EQ(all.undecided, 1);

    write_file_atomic(path, human + "\nnot json\n" + human + "\n");
    try {
        collect_preferences(path, false);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.line, 2);
        EXPECT_EQ(e.file, path);
    }
    fs::remove_all(dir);
}
