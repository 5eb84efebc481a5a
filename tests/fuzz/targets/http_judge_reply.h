// The HTTP judge's replies (judge/http_backend.h): the body of a 2xx answer (parse_chat_completion)
// and of an error answer (http_error_message). Neither throws, whatever the server sends.
#pragma once
#include "judge/http_backend.h"
#include "fuzz_util.h"

namespace rf_fuzz {

inline void http_judge_reply(const uint8_t* data, size_t size) {
    std::string body = text_of(data, size);
    std::string content;
    (void)rf::parse_chat_completion(body, &content);
    (void)rf::http_error_message(body);
}

}  // namespace rf_fuzz
