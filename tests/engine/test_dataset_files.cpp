// Datasets as users name them: parquet and JSON-array files (read through the JSON Lines row cache),
// configurations (openai/gsm8k's main/ and socratic/), split layouts (shards, <split>/ folders,
// data/), answer_pattern (GSM8K's "#### 72"), a validation split carved from train with the seed,
// and which files of a Hub repo a run downloads. The GSM8K-shaped parquet fixture was written by an
// independent writer (tests/reference/gen_parquet_fixtures.sh).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/dataset.h"
#include "data/dataset_hub.h"
#include "data/dataset_presets.h"
#include "data/row_cache.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kGsm8k = fs::path(REINFORGE_FIXTURES) / "parquet" / "gsm8k_like.parquet";

class DatasetFiles : public ::testing::Test {
protected:
    fs::path dir;
    void SetUp() override {
        dir = fs::temp_directory_path() / ("rf_dsf_" + std::to_string(::getpid()) + "_" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir / "cache");
        ::setenv("XDG_CACHE_HOME", (dir / "cache").c_str(), 1);
    }
    void TearDown() override { fs::remove_all(dir); }
    // openai/gsm8k's layout: main/ and socratic/, train and test shards, no validation split
    fs::path gsm8k_folder() {
        fs::path root = dir / "gsm8k";
        for (const char* config : {"main", "socratic"}) {
            fs::create_directories(root / config);
            fs::copy_file(kGsm8k, root / config / "train-00000-of-00001.parquet");
            fs::copy_file(kGsm8k, root / config / "test-00000-of-00001.parquet");
        }
        return root;
    }
    rf::DatasetColumns gsm8k_columns() {
        rf::DatasetColumns c;
        c.prompt = "question";
        c.answer_pattern = "gsm8k";
        return c;
    }
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

TEST_F(DatasetFiles, ASingleParquetFileIsTheTrainingSplitWithTheAnswerExtracted) {
    rf::DatasetSet s = rf::open_dataset(kGsm8k.string(), gsm8k_columns(), rf::DatasetKind::grpo);
    ASSERT_EQ(s.train.size(), 20u);
    json expected = json::parse(rf::read_file((fs::path(REINFORGE_FIXTURES) / "parquet" / "gsm8k_like.expected.json").string()));
    for (size_t i = 0; i < s.train.size(); ++i) {
        rf::DatasetRow r = s.train.row(i);
        const std::string q = expected["rows"][i]["question"], a = expected["rows"][i]["answer"];
        EXPECT_EQ(r.prompt_text, q);
        EXPECT_EQ(r.answer, a.substr(a.rfind("####") + 5)) << "row " << i;  // "72", not the worked solution
        EXPECT_EQ(r.line, int(i) + 1);                                      // errors name the row
        EXPECT_EQ(r.file, kGsm8k.string());                                 // the parquet file, not its copy
    }
    EXPECT_EQ(s.train.row(0).answer, "72");
}

TEST_F(DatasetFiles, TheRowCacheIsWrittenOnceAndKeepsOnlyTheMappedColumns) {
    rf::RowColumns cols;
    cols.wanted = {"question"};
    std::string a = rf::jsonl_rows_of(kGsm8k.string(), cols);
    ASSERT_NE(a, kGsm8k.string());
    EXPECT_EQ(fs::path(a).parent_path(), fs::path(rf::row_cache_dir()));
    auto t = fs::last_write_time(a);
    EXPECT_EQ(rf::jsonl_rows_of(kGsm8k.string(), cols), a);
    EXPECT_EQ(fs::last_write_time(a), t);
    std::ifstream in(a);
    std::string line;
    std::getline(in, line);
    json row = json::parse(line);
    EXPECT_EQ(row.size(), 1u);  // the answer column was not mapped, so it is not copied
    EXPECT_TRUE(row.contains("question"));
    cols.wanted = {"question", "answer"};
    EXPECT_NE(rf::jsonl_rows_of(kGsm8k.string(), cols), a);  // other columns, another copy
}

TEST_F(DatasetFiles, AMissingColumnNamesTheFileAndItsColumns) {
    rf::InputError e = error_of([&] { rf::open_dataset(kGsm8k.string(), {}, rf::DatasetKind::grpo); });
    EXPECT_EQ(e.file, kGsm8k.string());
    EXPECT_EQ(e.key, "prompt");
    EXPECT_NE(e.hint.find("question (string)"), std::string::npos) << e.what();
    EXPECT_NE(e.hint.find("prompt_feature"), std::string::npos) << e.what();
}

TEST_F(DatasetFiles, AnAnswerPatternThatDoesNotMatchIsABadRow) {
    rf::DatasetColumns c = gsm8k_columns();
    c.answer_pattern = "ANSWER: (\\d+)";
    rf::InputError e = error_of([&] { rf::open_dataset(kGsm8k.string(), c, rf::DatasetKind::grpo); });
    EXPECT_EQ(e.line, 1);
    EXPECT_NE(e.message.find("does not match"), std::string::npos) << e.what();
    rf::DatasetOptions skip;
    skip.skip_bad_rows = true;
    EXPECT_THROW(rf::open_dataset(kGsm8k.string(), c, rf::DatasetKind::grpo, skip), rf::InputError);  // every row bad
}

TEST_F(DatasetFiles, ConfigurationsMustBeChosenAndAreListed) {
    fs::path root = gsm8k_folder();
    rf::InputError e = error_of([&] { rf::find_dataset_files(root.string()); });
    EXPECT_EQ(e.key, "dataset_config");
    EXPECT_NE(e.message.find("main, socratic"), std::string::npos) << e.what();
    rf::DatasetSelect sel;
    sel.config = "main";
    rf::DatasetFiles f = rf::find_dataset_files(root.string(), sel);
    EXPECT_EQ(f.config, "main");
    EXPECT_EQ(f.configs, (std::vector<std::string>{"main", "socratic"}));
    ASSERT_EQ(f.train.size(), 1u);
    EXPECT_EQ(fs::path(f.train[0]), root / "main" / "train-00000-of-00001.parquet");
    ASSERT_EQ(f.test.size(), 1u);
    EXPECT_TRUE(f.valid.empty());
    sel.config = "mian";
    e = error_of([&] { rf::find_dataset_files(root.string(), sel); });
    EXPECT_NE(e.hint.find("main, socratic"), std::string::npos) << e.what();
    fs::remove_all(root / "socratic");  // one configuration: used without naming it
    EXPECT_EQ(rf::find_dataset_files(root.string()).config, "main");
}

TEST_F(DatasetFiles, SplitLayoutsOfTheHub) {
    // the Hub's parquet conversion: <config>/<split>/0000.parquet; and data/<split>-*.parquet
    fs::create_directories(dir / "conv" / "default" / "train");
    fs::create_directories(dir / "conv" / "default" / "validation");
    fs::copy_file(kGsm8k, dir / "conv" / "default" / "train" / "0000.parquet");
    fs::copy_file(kGsm8k, dir / "conv" / "default" / "train" / "0001.parquet");
    fs::copy_file(kGsm8k, dir / "conv" / "default" / "validation" / "0000.parquet");
    rf::DatasetFiles f = rf::find_dataset_files((dir / "conv").string());
    EXPECT_EQ(f.config, "default");
    EXPECT_EQ(f.train.size(), 2u);
    EXPECT_EQ(f.valid.size(), 1u);
    fs::create_directories(dir / "d" / "data");
    fs::copy_file(kGsm8k, dir / "d" / "data" / "train-00000-of-00002-abc.parquet");
    fs::copy_file(kGsm8k, dir / "d" / "data" / "train-00001-of-00002-abc.parquet");
    f = rf::find_dataset_files((dir / "d").string());
    EXPECT_EQ(f.train.size(), 2u);
    EXPECT_TRUE(f.config.empty());
    rf::DatasetSelect sel;
    sel.train_split = "nope";
    EXPECT_THROW(rf::find_dataset_files((dir / "d").string(), sel), rf::InputError);
}

TEST_F(DatasetFiles, AMissingValidationSplitIsCarvedFromTrainWithTheSeed) {
    fs::path root = gsm8k_folder();
    rf::DatasetOpen how;
    how.select.config = "main";
    how.valid_fraction = 0.2;
    how.seed = 7;
    rf::DatasetSet a = rf::open_dataset(root.string(), gsm8k_columns(), rf::DatasetKind::grpo, {}, how);
    EXPECT_EQ(a.carved_valid, 4u);
    EXPECT_EQ(a.valid.size(), 4u);
    EXPECT_EQ(a.train.size(), 16u);
    EXPECT_EQ(a.test.size(), 20u);
    std::set<std::string> train, valid;
    for (size_t i = 0; i < a.train.size(); ++i) train.insert(a.train.row(i).prompt_text);
    for (size_t i = 0; i < a.valid.size(); ++i) valid.insert(a.valid.row(i).prompt_text);
    EXPECT_EQ(train.size() + valid.size(), 20u);  // disjoint, nothing lost
    for (auto& v : valid) EXPECT_FALSE(train.count(v));
    rf::DatasetSet b = rf::open_dataset(root.string(), gsm8k_columns(), rf::DatasetKind::grpo, {}, how);
    for (size_t i = 0; i < 4; ++i) EXPECT_EQ(b.valid.row(i).prompt_text, a.valid.row(i).prompt_text);  // same seed, same rows
    how.seed = 8;
    rf::DatasetSet c = rf::open_dataset(root.string(), gsm8k_columns(), rf::DatasetKind::grpo, {}, how);
    bool differs = false;
    for (size_t i = 0; i < 4; ++i) differs |= c.valid.row(i).prompt_text != a.valid.row(i).prompt_text;
    EXPECT_TRUE(differs);
    how.valid_fraction = 0;
    EXPECT_EQ(rf::open_dataset(root.string(), gsm8k_columns(), rf::DatasetKind::grpo, {}, how).valid.size(), 0u);
}

TEST_F(DatasetFiles, AJsonArrayFileIsRead) {
    rf::write_file_atomic((dir / "rows.json").string(),
                          R"([{"prompt": "1+1?", "answer": "2", "extra": [1, 2]}, {"prompt": "2+2?", "answer": "4"}])");
    rf::DatasetSet s = rf::open_dataset((dir / "rows.json").string(), {}, rf::DatasetKind::grpo);
    ASSERT_EQ(s.train.size(), 2u);
    EXPECT_EQ(s.train.row(1).answer, "4");
    rf::write_file_atomic((dir / "lines.json").string(), "{\"prompt\": \"a\", \"answer\": \"b\"}\n{\"prompt\": \"c\", \"answer\": \"d\"}\n");
    EXPECT_EQ(rf::open_dataset((dir / "lines.json").string(), {}, rf::DatasetKind::grpo).train.size(), 2u);  // JSON Lines named .json
    rf::write_file_atomic((dir / "bad.json").string(), "[{\"prompt\": ");
    rf::InputError e = error_of([&] { rf::open_dataset((dir / "bad.json").string(), {}, rf::DatasetKind::grpo); });
    EXPECT_EQ(e.file, (dir / "bad.json").string());
}

TEST_F(DatasetFiles, TheFilesARunDownloadsFromAHubRepo) {
    auto files = [](std::vector<std::string> paths) {
        std::vector<rf::HubFile> out;
        for (auto& p : paths) out.push_back({p, 100, ""});
        return out;
    };
    std::vector<rf::HubFile> gsm8k = files({".gitattributes", "README.md", "main/train-00000-of-00001.parquet",
                                            "main/test-00000-of-00001.parquet", "socratic/train-00000-of-00001.parquet",
                                            "socratic/test-00000-of-00001.parquet"});
    rf::DatasetSelect sel;
    rf::InputError e = error_of([&] { rf::select_dataset_files("openai/gsm8k", gsm8k, sel); });
    EXPECT_NE(e.message.find("main, socratic"), std::string::npos) << e.what();
    sel.config = "socratic";
    EXPECT_EQ(rf::select_dataset_files("openai/gsm8k", gsm8k, sel),
              (std::vector<std::string>{"socratic/train-00000-of-00001.parquet", "socratic/test-00000-of-00001.parquet"}));
    sel.config = "";
    EXPECT_EQ(rf::select_dataset_files("x/y", files({"README.md", "data/train-00000-of-00001.parquet", "train.jsonl"}), sel),
              (std::vector<std::string>{"data/train-00000-of-00001.parquet", "train.jsonl"}));
    EXPECT_THROW(rf::select_dataset_files("x/y", files({"README.md", "loader.py"}), sel), rf::InputError);
}

TEST_F(DatasetFiles, KnownDatasetsWorkOutOfTheBoxAndSetKeysWin) {
    rf::DatasetColumns cols;
    rf::DatasetSelect sel;
    std::string note = rf::apply_dataset_preset("openai/gsm8k", cols, sel);
    EXPECT_EQ(sel.config, "main");
    EXPECT_EQ(cols.prompt, "question");
    EXPECT_EQ(cols.answer_pattern, "gsm8k");
    EXPECT_NE(note.find("prompt_feature: question"), std::string::npos) << note;
    rf::DatasetColumns mine;
    mine.prompt = "my_prompt";
    rf::DatasetSelect socratic;
    socratic.config = "socratic";
    rf::apply_dataset_preset("openai/gsm8k", mine, socratic);
    EXPECT_EQ(mine.prompt, "my_prompt");  // a key the user set is kept
    EXPECT_EQ(socratic.config, "socratic");
    EXPECT_EQ(mine.answer_pattern, "gsm8k");
    rf::DatasetColumns none;
    rf::DatasetSelect nsel;
    EXPECT_EQ(rf::apply_dataset_preset("./openai/gsm8k", none, nsel), "");  // a path is not an id
    EXPECT_EQ(none.prompt, "prompt");
    // the preset applied to the GSM8K-shaped file reads it as GRPO needs it
    rf::DatasetColumns c;
    rf::DatasetSelect s;
    rf::apply_dataset_preset("openai/gsm8k", c, s);
    EXPECT_EQ(rf::open_dataset(kGsm8k.string(), c, rf::DatasetKind::grpo).train.row(1).answer, "40");
}

}  // namespace
