// Resuming a run undoes what the steps after its checkpoint logged (train/run_logs.h): their
// metrics and rollout rows go, a torn last line goes, a person's verdicts stay (marked) and the
// preference export counts a comparison judged again after the resume once.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "core/atomic_file.h"
#include "judge/preferences.h"
#include "train/run_logs.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct RunLogs : ::testing::Test {
    fs::path dir = fs::temp_directory_path() / ("rf_runlogs_" + std::to_string(::getpid()));
    void SetUp() override { fs::create_directories(dir); }
    void TearDown() override { fs::remove_all(dir); }
    std::vector<json> rows(const fs::path& p) {
        std::vector<json> out;
        std::string text = rf::read_file(p.string());
        size_t pos = 0;
        while (pos < text.size()) {
            size_t nl = text.find('\n', pos);
            out.push_back(json::parse(text.substr(pos, nl - pos)));
            pos = nl + 1;
        }
        return out;
    }
};

json verdict(int step, const std::string& prompt, const std::string& a, const std::string& b, const std::string& winner) {
    return {{"kind", "pairwise"}, {"judge", "human"}, {"step", step}, {"prompt", prompt},
            {"completions", {a, b}}, {"verdict", {{"winner", winner}}}};
}

TEST_F(RunLogs, RowsAfterTheCheckpointAndATornLineAreDropped) {
    fs::path m = dir / "metrics.jsonl";
    std::string text;
    for (int s = 1; s <= 8; ++s) text += json({{"step", s}, {"phase", "train"}, {"loss", 0.5}}).dump() + "\n";
    text += json({{"step", 5}, {"phase", "val"}}).dump() + "\n";
    text += "{\"step\": 9, \"pha";  // killed mid-write
    rf::write_file_atomic(m.string(), text);
    EXPECT_EQ(rf::drop_rows_after(m.string(), 5), 3u);  // steps 6, 7, 8 (the torn line is no row, but goes too)
    auto kept = rows(m);
    ASSERT_EQ(kept.size(), 6u);
    for (auto& r : kept) EXPECT_LE(r["step"].get<int>(), 5);
    EXPECT_EQ(kept.back()["phase"], "val");  // the eval at the checkpoint step stays
    EXPECT_EQ(rf::drop_rows_after(m.string(), 5), 0u);  // idempotent
    EXPECT_EQ(rf::drop_rows_after((dir / "absent.jsonl").string(), 5), 0u);
}

TEST_F(RunLogs, VerdictsAfterTheCheckpointAreKeptAndCountedOnceInTheExport) {
    fs::path j = dir / "judgments.jsonl";
    std::string text;
    text += verdict(3, "p3", "a", "b", "0").dump() + "\n";
    text += verdict(6, "p6", "c", "d", "1").dump() + "\n";  // after the checkpoint, judged again below
    text += verdict(7, "p7", "e", "f", "0").dump() + "\n";  // after the checkpoint, not judged again
    rf::write_file_atomic(j.string(), text);
    EXPECT_EQ(rf::mark_judgments_after(j.string(), 5), 2u);
    EXPECT_EQ(rf::mark_judgments_after(j.string(), 5), 0u);  // already marked
    auto after = rows(j);
    ASSERT_EQ(after.size(), 3u);
    EXPECT_FALSE(after[0].contains("after_resume_point"));
    EXPECT_TRUE(after[1]["after_resume_point"].get<bool>());
    // the retrained step 6 samples the same pair (in the other order) and the person answers again
    rf::append_line(j.string(), verdict(6, "p6", "d", "c", "0").dump());
    rf::PreferenceExport ex = rf::collect_preferences(j.string(), false);
    EXPECT_EQ(ex.repeated, 1);
    ASSERT_EQ(ex.rows.size(), 3u);
    EXPECT_EQ(ex.rows[0].prompt, "p3");
    EXPECT_EQ(ex.rows[1].prompt, "p7");  // kept: nobody judged it again
    EXPECT_EQ(ex.rows[2].prompt, "p6");
    EXPECT_EQ(ex.rows[2].chosen, "d");   // the later verdict counts
}

}  // namespace
