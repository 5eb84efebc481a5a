#include "text/tokenizer_json.h"

#include "core/error.h"

namespace rf::hf {

namespace {

using nlohmann::json;

// Bounds on what a tokenizer.json may declare (issue 18: a file with 10^7 merges must not eat the
// machine's memory). The largest real ones are far below: Gemma 3 262k tokens, Llama 3 280k merges.
constexpr size_t kMaxVocab = 2'000'000, kMaxMerges = 2'000'000;

class Sax {
public:
    using number_integer_t = json::number_integer_t;
    using number_unsigned_t = json::number_unsigned_t;
    using number_float_t = json::number_float_t;
    using string_t = json::string_t;
    using binary_t = json::binary_t;

    Sax(TokenizerJson& out, const std::string& path) : m_out(out), m_dom(out.rest, true), m_path(path) {}

    bool null() { return capture_value("null") && (m_mode != Mode::none || m_dom.null()); }
    bool boolean(bool v) { return capture_value("a boolean") && (m_mode != Mode::none || m_dom.boolean(v)); }
    bool number_integer(number_integer_t v) {
        if (m_mode == Mode::vocab) return vocab_entry(v);
        return capture_value("a number") && (m_mode != Mode::none || m_dom.number_integer(v));
    }
    bool number_unsigned(number_unsigned_t v) {
        if (m_mode == Mode::vocab) return vocab_entry(static_cast<long long>(v));
        return capture_value("a number") && (m_mode != Mode::none || m_dom.number_unsigned(v));
    }
    bool number_float(number_float_t v, const string_t& s) {
        return capture_value("a number") && (m_mode != Mode::none || m_dom.number_float(v, s));
    }
    bool binary(binary_t& b) { return capture_value("binary") && (m_mode != Mode::none || m_dom.binary(b)); }
    bool string(string_t& v) {
        if (m_mode == Mode::merges) {
            if (m_depth == m_capture_depth) {  // "a b"
                size_t sp = v.find(' ', 1);
                if (sp == std::string::npos) return fail("model.merges[" + std::to_string(m_out.merges.size()) + "]", "merge '" + v + "' has no space");
                if (m_out.merges.size() >= kMaxMerges) return too_many("model.merges", kMaxMerges);
                m_out.merges.emplace_back(v.substr(0, sp), v.substr(sp + 1));
                return true;
            }
            if (m_depth == m_capture_depth + 1 && m_pair.size() < 2) { m_pair.push_back(std::move(v)); return true; }
            return fail("model.merges", "expected \"a b\" or [\"a\", \"b\"]");
        }
        if (m_mode == Mode::vocab) return fail("model.vocab", "token ids must be integers");
        m_pending = Mode::none;
        return m_dom.string(v);
    }
    bool start_object(std::size_t n) {
        if (m_mode != Mode::none) return fail(m_mode == Mode::vocab ? "model.vocab" : "model.merges", "unexpected object");
        ++m_depth;
        if (m_pending == Mode::vocab) return begin_capture(Mode::vocab);
        if (m_pending == Mode::merges) return fail("model.merges", "expected a list");
        return m_dom.start_object(n);
    }
    bool key(string_t& k) {
        if (m_mode == Mode::vocab) { m_key = std::move(k); return true; }
        if (m_depth == 1) m_key1 = k;
        m_pending = Mode::none;
        if (m_depth == 2 && m_key1 == "model") {
            if (k == "vocab") m_pending = Mode::vocab;
            else if (k == "merges") m_pending = Mode::merges;
        }
        return m_dom.key(k);
    }
    bool end_object() {
        if (m_mode == Mode::vocab && m_depth == m_capture_depth) { --m_depth; m_mode = Mode::none; return true; }
        --m_depth;
        return m_dom.end_object();
    }
    bool start_array(std::size_t n) {
        ++m_depth;
        if (m_mode == Mode::merges) {
            if (m_depth != m_capture_depth + 1) return fail("model.merges", "unexpected nesting");
            m_pair.clear();
            return true;
        }
        if (m_mode == Mode::vocab) return fail("model.vocab", "unexpected list");
        if (m_pending == Mode::merges) return begin_capture(Mode::merges);
        if (m_pending == Mode::vocab) return fail("model.vocab", "expected an object {token: id}");
        return m_dom.start_array(n);
    }
    bool end_array() {
        if (m_mode == Mode::merges) {
            if (m_depth == m_capture_depth) { --m_depth; m_mode = Mode::none; return true; }
            if (m_pair.size() != 2) return fail("model.merges[" + std::to_string(m_out.merges.size()) + "]", "expected a pair [\"a\", \"b\"]");
            if (m_out.merges.size() >= kMaxMerges) return too_many("model.merges", kMaxMerges);
            m_out.merges.emplace_back(std::move(m_pair[0]), std::move(m_pair[1]));
            --m_depth;
            return true;
        }
        --m_depth;
        return m_dom.end_array();
    }
    bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& e) {
        throw InputError(m_path, 0, {}, "not valid JSON at byte " + std::to_string(pos) + ": " + e.what(), "is the download complete?");
    }

private:
    enum class Mode { none, vocab, merges };
    TokenizerJson& m_out;
    nlohmann::detail::json_sax_dom_parser<json> m_dom;
    std::string m_path, m_key, m_key1;
    std::vector<std::string> m_pair;
    Mode m_mode = Mode::none, m_pending = Mode::none;
    int m_depth = 0, m_capture_depth = 0;

    bool fail(const std::string& key, const std::string& msg) { throw InputError(m_path, 0, key, msg); }
    bool begin_capture(Mode m) {
        m_mode = m;
        m_pending = Mode::none;
        m_capture_depth = m_depth;
        (m == Mode::vocab ? m_out.has_vocab : m_out.has_merges) = true;
        return m_dom.null();  // placeholder in the tree
    }
    bool too_many(const char* key, size_t limit) {
        return fail(key, "more than " + std::to_string(limit) + " entries: not a real tokenizer (the largest have under 300,000)");
    }
    bool vocab_entry(long long id) {
        if (m_out.vocab.size() >= kMaxVocab) return too_many("model.vocab", kMaxVocab);
        m_out.vocab.emplace_back(std::move(m_key), id);
        return true;
    }
    // A scalar inside a captured part is malformed; elsewhere it ends a pending capture.
    bool capture_value(const char* what) {
        if (m_mode == Mode::vocab) return fail("model.vocab", std::string("token ids must be integers, not ") + what);
        if (m_mode == Mode::merges) return fail("model.merges", std::string("expected strings, not ") + what);
        m_pending = Mode::none;
        return true;
    }
};

}  // namespace

TokenizerJson parse_tokenizer_json(const std::string& text, const std::string& path) {
    TokenizerJson out;
    Sax sax(out, path);
    json::sax_parse(text, &sax);
    return out;
}

}  // namespace rf::hf
