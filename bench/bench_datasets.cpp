// Parquet and the dataset path on a large file (issue 15): rows/s and peak memory of
//   1. ParquetReader::for_each_row over every column and over one column (io/parquet.h), and
//   2. the dataset as a run opens it (data/dataset.h): the JSON Lines row cache is written on the
//      first open (the conversion) and reused on the second (indexing and checking every row).
// Checked before timing: the rows counted by each pass equal the footer's row count, and the
// one-column pass sees the same `question` text (length sum) as the all-columns pass.
//   usage: bench_datasets FILE.parquet [--column NAME]      (make one: tests/reference/gen_parquet_fixtures.sh --big)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench_clock.h"
#include "data/dataset.h"
#include "data/row_cache.h"
#include "io/parquet.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

long peak_rss_mb() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_datasets FILE.parquet [--column NAME]\n");
        return 2;
    }
    const std::string file = argv[1];
    std::string column = "question";
    for (int i = 2; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--column") column = argv[i + 1];
    const double mb = double(std::filesystem::file_size(file)) / 1e6;
    rf::ParquetReader pq(file);
    std::printf("file: %s, %.0f MB, %lld rows, %d row groups\n", file.c_str(), mb, static_cast<long long>(pq.num_rows()), pq.num_row_groups());

    size_t rows_all = 0, text_all = 0;
    auto t0 = std::chrono::steady_clock::now();
    pq.for_each_row([&](const nlohmann::json& row) {
        ++rows_all;
        if (auto it = row.find(column); it != row.end() && it->is_string()) text_all += it->get_ref<const std::string&>().size();
        return true;
    });
    double s_all = seconds_since(t0);
    long rss_all = peak_rss_mb();

    size_t rows_one = 0, text_one = 0;
    t0 = std::chrono::steady_clock::now();
    pq.for_each_row([&](const nlohmann::json& row) {
        ++rows_one;
        if (auto it = row.find(column); it != row.end() && it->is_string()) text_one += it->get_ref<const std::string&>().size();
        return true;
    }, {column});
    double s_one = seconds_since(t0);
    if (rows_all != size_t(pq.num_rows()) || rows_one != rows_all || text_one != text_all) {
        std::fprintf(stderr, "MISMATCH: rows %zu / %zu / footer %lld, '%s' bytes %zu / %zu\n", rows_all, rows_one,
                     static_cast<long long>(pq.num_rows()), column.c_str(), text_all, text_one);
        return 1;
    }
    std::printf("check: %zu rows in both passes = the footer's; '%s' text %zu bytes in both\n", rows_all, column.c_str(), text_all);
    std::printf("for_each_row, all columns:  %.2f s  %.0f rows/s  %.0f MB/s of file  peak RSS %ld MB\n", s_all, double(rows_all) / s_all,
                mb / s_all, rss_all);
    std::printf("for_each_row, '%s' only: %.2f s  %.0f rows/s\n", column.c_str(), s_one, double(rows_one) / s_one);

    // the dataset as a run opens it: conversion to the row cache, then the cached open
    std::string cache = (std::filesystem::temp_directory_path() / ("bench-datasets-" + std::to_string(::getpid()))).string();
    ::setenv("XDG_CACHE_HOME", cache.c_str(), 1);
    rf::DatasetColumns cols;
    cols.prompt = column;
    for (const char* pass : {"first open (converts)", "second open (cached)"}) {
        t0 = std::chrono::steady_clock::now();
        rf::DatasetSet set = rf::open_dataset(file, cols, rf::DatasetKind::grpo);
        double s = seconds_since(t0);
        std::printf("open_dataset, %s: %.2f s  %.0f rows/s  %zu rows  peak RSS %ld MB\n", pass, s, double(set.train.size()) / s,
                    set.train.size(), peak_rss_mb());
    }
    std::filesystem::remove_all(cache);
    std::printf("cpu %.1f s, load average %s\n", rf::bench::cpu_seconds(), rf::bench::load_average().c_str());
    return 0;
}
