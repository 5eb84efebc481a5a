// libFuzzer target: the body is rf_fuzz::adapter_config in targets/adapter_config.h (also replayed over corpus/fuzz_adapter_config/ by
// tests/engine/test_fuzz_corpus.cpp). A crash, a sanitizer report or an escaping exception is a finding.
#include "targets/adapter_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    rf_fuzz::adapter_config(data, size);
    return 0;
}
