// Shared by the fuzz target bodies (targets/*.h): a per-process scratch folder for parsers that read
// files, and the input as text. Used by libFuzzer (tests/fuzz/fuzz_*.cpp) and by the corpus replay
// test (tests/engine/test_fuzz_corpus.cpp), so both run exactly the same code on an input.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace rf_fuzz {

inline std::string text_of(const uint8_t* data, size_t size) { return std::string(reinterpret_cast<const char*>(data), size); }

// A folder of this process under $TMPDIR (created once, removed at exit).
inline const std::string& scratch_dir() {
    static const std::string dir = [] {
        const char* t = std::getenv("TMPDIR");
        std::filesystem::path p = std::filesystem::path(t && *t ? t : "/tmp") / ("rf-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(p);
        static struct Cleanup {
            std::filesystem::path p;
            ~Cleanup() {
                std::error_code ec;
                std::filesystem::remove_all(p, ec);
            }
        } cleanup{p};
        return p.string();
    }();
    return dir;
}

inline std::string write_scratch(const std::string& name, const std::string& bytes) {
    std::string path = scratch_dir() + "/" + name;
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(bytes.size()));
    return path;
}

}  // namespace rf_fuzz
