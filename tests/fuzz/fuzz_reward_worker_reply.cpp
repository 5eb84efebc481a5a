// libFuzzer target: the body is rf_fuzz::reward_worker_reply in targets/reward_worker_reply.h (also replayed over corpus/fuzz_reward_worker_reply/ by
// tests/engine/test_fuzz_corpus.cpp). A crash, a sanitizer report or an escaping exception is a finding.
#include "targets/reward_worker_reply.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    rf_fuzz::reward_worker_reply(data, size);
    return 0;
}
