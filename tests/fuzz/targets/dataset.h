// JSON Lines dataset rows and the column mapping: a row either parses or is an InputError naming the
// file and line (never a crash). Input: byte 0 picks the kind (bits 0-1: sft, prompts, grpo,
// preference) and skip_bad_rows (bit 2); with bit 3 the first line is a column mapping,
// tab-separated in DatasetColumns order (prompt, answer, type, system, chat, completion, text,
// chosen, rejected, preference_score, answer_pattern). The rest is the .jsonl file.
#pragma once
#include "core/error.h"
#include "data/dataset.h"
#include "fuzz_util.h"

namespace rf_fuzz {

inline void dataset(const uint8_t* data, size_t size) {
    if (size < 1) return;
    const uint8_t mode = data[0];
    std::string text = text_of(data + 1, size - 1);
    rf::DatasetColumns cols;
    if (mode & 8) {
        size_t nl = text.find('\n');
        std::string mapping = text.substr(0, nl);
        text = nl == std::string::npos ? std::string() : text.substr(nl + 1);
        std::string* fields[] = {&cols.prompt, &cols.answer, &cols.type, &cols.system, &cols.chat, &cols.completion,
                                 &cols.text, &cols.chosen, &cols.rejected, &cols.preference_score, &cols.answer_pattern};
        size_t k = 0, at = 0;
        while (k < std::size(fields)) {
            size_t tab = mapping.find('\t', at);
            *fields[k++] = mapping.substr(at, tab == std::string::npos ? std::string::npos : tab - at);
            if (tab == std::string::npos) break;
            at = tab + 1;
        }
    }
    const rf::DatasetKind kind = static_cast<rf::DatasetKind>(mode & 3);
    rf::DatasetOptions opts;
    opts.skip_bad_rows = mode & 4;
    try {
        rf::Dataset d({write_scratch("fuzz.jsonl", text)}, cols, kind, opts);
        for (size_t i = 0; i < d.size(); ++i) {
            rf::DatasetRow r = d.row(i);
            if (kind != rf::DatasetKind::sft && kind != rf::DatasetKind::preference) (void)rf::prompt_messages(r, kind);
        }
    } catch (const rf::InputError&) {
    }
}

}  // namespace rf_fuzz
