// libFuzzer target: the body is rf_fuzz::tokenizer_json in targets/tokenizer_json.h (also replayed over corpus/fuzz_tokenizer_json/ by
// tests/engine/test_fuzz_corpus.cpp). A crash, a sanitizer report or an escaping exception is a finding.
#include "targets/tokenizer_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    rf_fuzz::tokenizer_json(data, size);
    return 0;
}
