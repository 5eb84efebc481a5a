// libFuzzer target: any byte string, written to a file and opened as parquet, either reads (every
// row group, all columns) or throws rf::InputError naming that file. Anything else (a crash, an ASan
// report, a hang, another exception type) is a finding. Seeds: tests/fixtures/parquet/*.parquet.
//   build-fuzz/tests/fuzz/fuzz_parquet -max_total_time=60 -rss_limit_mb=4096 corpus/ tests/fixtures/parquet
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "io/parquet.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = "/tmp/fuzz_parquet." + std::to_string(getpid()) + ".parquet";
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) std::abort();
    if (size && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
    try {
        rf::ParquetReader r(path);
        (void)r.fields();
        size_t n = 0;
        r.for_each_row([&](const nlohmann::json& row) { n += row.size(); return true; });
    } catch (const rf::InputError& e) {
        if (e.file != path) std::abort();
    }
    return 0;
}
