// libFuzzer target: the body is rf_fuzz::safetensors_index in targets/safetensors_index.h (also replayed over corpus/fuzz_safetensors_index/ by
// tests/engine/test_fuzz_corpus.cpp). A crash, a sanitizer report or an escaping exception is a finding.
#include "targets/safetensors_index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    rf_fuzz::safetensors_index(data, size);
    return 0;
}
