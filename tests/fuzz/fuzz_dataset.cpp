// libFuzzer target: the body is rf_fuzz::dataset in targets/dataset.h (also replayed over corpus/fuzz_dataset/ by
// tests/engine/test_fuzz_corpus.cpp). A crash, a sanitizer report or an escaping exception is a finding.
#include "targets/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    rf_fuzz::dataset(data, size);
    return 0;
}
