// libFuzzer target: the body is rf_fuzz::http_judge_reply in targets/http_judge_reply.h (also replayed over corpus/fuzz_http_judge_reply/ by
// tests/engine/test_fuzz_corpus.cpp). A crash, a sanitizer report or an escaping exception is a finding.
#include "targets/http_judge_reply.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    rf_fuzz::http_judge_reply(data, size);
    return 0;
}
