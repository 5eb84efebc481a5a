// libFuzzer target: the body is rf_fuzz::chat_template in targets/chat_template.h (also replayed over corpus/fuzz_chat_template/ by
// tests/engine/test_fuzz_corpus.cpp). A crash, a sanitizer report or an escaping exception is a finding.
#include "targets/chat_template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    rf_fuzz::chat_template(data, size);
    return 0;
}
