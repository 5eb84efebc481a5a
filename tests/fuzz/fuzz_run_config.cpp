// libFuzzer target: the body is rf_fuzz::run_config in targets/run_config.h (also replayed over corpus/fuzz_run_config/ by
// tests/engine/test_fuzz_corpus.cpp). A crash, a sanitizer report or an escaping exception is a finding.
#include "targets/run_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    rf_fuzz::run_config(data, size);
    return 0;
}
