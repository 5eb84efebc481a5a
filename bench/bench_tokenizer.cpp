// Tokenizer encode throughput (MB/s) on a few MB of mixed text (English, German, Chinese, Japanese,
// Arabic, emoji, code, numbers, whitespace runs: the test cases of tests/fixtures/text), against the
// node reference @huggingface/tokenizers on the same machine and the same text.
// It validates first: both must produce the same ids (count and FNV-1a hash) before any timing.
//   usage: bench_tokenizer [TOKENIZER_DIR ...] [--mb N] [--repeats R] [--no-node]
//   default dirs: the npm tokenizer cache of the engine tests (qwen3, llama3_1, llama2)
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "text/tokenizer.h"

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

static double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

static std::string mixed_text(size_t bytes) {
    json cases = json::parse(rf::read_file(std::string(REINFORGE_SOURCE_DIR) + "/tests/fixtures/text/tokenizer_cases.json"));
    std::string out;
    for (size_t round = 0; out.size() < bytes; ++round) {
        for (const json& c : cases) {
            std::string name = c["name"];
            if (name.rfind("special_tokens", 0) == 0) continue;  // plain text only
            out += c["text"].get<std::string>();
            out += " #" + std::to_string(round * 31 + out.size() % 97) + "\n";
        }
    }
    return out;
}

static std::string run(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

int main(int argc, char** argv) {
    std::vector<std::string> dirs;
    double mb = 4;
    int repeats = 3;
    bool node = true;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--mb" && i + 1 < argc) mb = std::atof(argv[++i]);
        else if (a == "--repeats" && i + 1 < argc) repeats = std::max(1, std::atoi(argv[++i]));
        else if (a == "--no-node") node = false;
        else dirs.push_back(a);
    }
    std::string cache = std::string(REINFORGE_SOURCE_DIR) + "/build/test-cache/tokenizers";
    if (dirs.empty())
        for (const char* m : {"qwen3", "llama3_1", "llama2"}) dirs.push_back(cache + "/" + m);
    std::string text = mixed_text(size_t(mb * 1024 * 1024));
    fs::path text_file = fs::temp_directory_path() / "rf_bench_tokenizer.txt";
    rf::write_file_atomic(text_file.string(), text);
    std::string modules = std::string(REINFORGE_SOURCE_DIR) + "/tests/reference/.cache/npm/node_modules";
    std::printf("text: %.2f MB mixed (tests/fixtures/text/tokenizer_cases.json repeated), %d encode repeats\n",
                text.size() / 1048576.0, repeats);
    std::printf("%-10s %9s %10s %12s %12s %10s %12s %12s %8s\n", "model", "ids", "load ms", "first MB/s", "best MB/s",
                "node load", "node first", "node best", "speedup");
    int rc = 0;
    for (const std::string& dir : dirs) {
        std::string name = fs::path(dir).filename().string();
        try {
            auto t0 = Clock::now();
            auto tok = rf::load_tokenizer(dir);
            double load_ms = ms_since(t0);
            std::vector<double> mbs;
            std::vector<int> ids;
            for (int r = 0; r < repeats; ++r) {
                t0 = Clock::now();
                ids = tok->encode(text);
                mbs.push_back(text.size() / 1048576.0 / (ms_since(t0) / 1000.0));
            }
            double best = *std::max_element(mbs.begin(), mbs.end());
            uint64_t h = 0xcbf29ce484222325ULL;
            for (int id : ids) { h ^= uint64_t(id); h *= 0x100000001b3ULL; }
            char hash[32];
            std::snprintf(hash, sizeof hash, "%llx", static_cast<unsigned long long>(h));
            bool have_node = node && fs::exists(fs::path(dir) / "tokenizer.json") && fs::exists(modules);
            if (!have_node) {
                std::printf("%-10s %9zu %10.0f %12.2f %12.2f %10s %12s %12s %8s\n", name.c_str(), ids.size(), load_ms, mbs[0], best, "-", "-", "-", "-");
                continue;
            }
            std::string out = run("node '" + std::string(REINFORGE_SOURCE_DIR) + "/bench/tokenizer_node.mjs' '" + modules + "' '" + dir +
                                  "' '" + text_file.string() + "' " + std::to_string(repeats));
            json r = json::parse(out, nullptr, false);
            if (r.is_discarded()) { std::printf("%-10s node failed: %s\n", name.c_str(), out.c_str()); rc = 1; continue; }
            if (r["n_ids"].get<size_t>() != ids.size() || r["hash"].get<std::string>() != hash) {
                std::printf("%-10s MISMATCH with the node reference: %zu ids (hash %s) vs %zu (hash %s); no timing\n", name.c_str(),
                            ids.size(), hash, r["n_ids"].get<size_t>(), r["hash"].get<std::string>().c_str());
                rc = 1;
                continue;
            }
            std::vector<double> node_ms = r["encode_ms"].get<std::vector<double>>();
            double node_first = text.size() / 1048576.0 / (node_ms[0] / 1000.0);
            double node_best = text.size() / 1048576.0 / (*std::min_element(node_ms.begin(), node_ms.end()) / 1000.0);
            std::printf("%-10s %9zu %10.0f %12.2f %12.2f %10.0f %12.2f %12.2f %7.1fx\n", name.c_str(), ids.size(), load_ms, mbs[0], best,
                        r["load_ms"].get<double>(), node_first, node_best, best / node_best);
        } catch (const std::exception& e) {
            std::printf("%-10s skipped: %s\n", name.c_str(), e.what());
        }
    }
    fs::remove(text_file);
    return rc;
}
