// Hostile dataset files (SPEC §15): random bytes and mangled JSON rows must open as a dataset or
// give an InputError naming the file — never another exception or a crash. Seeded.
#include <gtest/gtest.h>

#include <filesystem>

#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/rng.h"
#include "data/dataset.h"

TEST(DatasetFuzz, RandomFilesOpenOrFailCleanly) {
    namespace fs = std::filesystem;
    fs::path f = fs::temp_directory_path() / ("rf_ds_fuzz_" + std::to_string(::getpid()) + ".jsonl");
    static const char* good[] = {
        "{\"prompt\": \"p\", \"answer\": \"1\"}", "{\"prompt\": [{\"role\": \"user\", \"content\": \"q\"}], \"answer\": 2}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"b\"}]}",
        "{\"text\": \"t\"}", "{\"prompt\": \"p\", \"completion\": \"c\"}", "{\"prompt\": \"p\", \"chosen\": \"c\", \"rejected\": \"r\"}"};
    rf::Rng rng(5);
    int opened = 0, rejected = 0;
    for (int iter = 0; iter < 600; ++iter) {
        std::string content;
        int lines = int(rng.below(6));
        for (int k = 0; k < lines; ++k) {
            std::string line = good[rng.below(6)];
            uint32_t mut = rng.below(4);
            for (uint32_t m = 0; m < mut && !line.empty(); ++m) {
                size_t at = rng.below(uint32_t(line.size()));
                switch (rng.below(3)) {
                case 0: line.erase(at, 1); break;
                case 1: line.insert(at, 1, char(rng.below(256))); break;
                default: line[at] = "{}[]\",:\\\n\r"[rng.below(10)];
                }
            }
            content += line + (rng.below(3) ? "\n" : "\r\n");
        }
        rf::write_file_atomic(f.string(), content);
        auto kind = static_cast<rf::DatasetKind>(rng.below(4));
        try {
            rf::DatasetOptions opts;
            opts.skip_bad_rows = rng.below(2) == 1;
            opts.stream_threshold = rng.below(2) ? 1 : rf::JsonlFile::kStreamThreshold;
            rf::Dataset d({f.string()}, {}, kind, opts);
            for (size_t i = 0; i < d.size(); ++i) d.row(i);
            ++opened;
        } catch (const rf::InputError& e) {
            ++rejected;
            EXPECT_NE(std::string(e.what()).find(f.filename().string()), std::string::npos) << e.what();
        } catch (const std::exception& e) {
            ADD_FAILURE() << "non-input error: " << e.what() << " for content: " << content;
        }
    }
    fs::remove(f);
    EXPECT_GT(opened, 50);
    EXPECT_GT(rejected, 50);
}
