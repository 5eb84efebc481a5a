// libFuzzer target: the body is rf_fuzz::hub_repo_info in targets/hub_repo_info.h (also replayed over corpus/fuzz_hub_repo_info/ by
// tests/engine/test_fuzz_corpus.cpp). A crash, a sanitizer report or an escaping exception is a finding.
#include "targets/hub_repo_info.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    rf_fuzz::hub_repo_info(data, size);
    return 0;
}
