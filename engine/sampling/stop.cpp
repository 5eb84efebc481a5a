// Stopping rules and incremental text (see stop.h).
#include "sampling/stop.h"

#include <algorithm>

#include "core/error.h"

namespace rf {

bool StopCriteria::is_eos(int id) const {
    return std::find(eos_ids.begin(), eos_ids.end(), id) != eos_ids.end();
}

namespace {
bool ends_with_replacement_char(const std::string& s) {
    static const std::string fffd = "\xEF\xBF\xBD";
    return s.size() >= 3 && s.compare(s.size() - 3, 3, fffd) == 0;
}
}  // namespace

std::string IncrementalText::decode_range(size_t begin, size_t end) const {
    return (*m_detok)(std::vector<int>(m_ids.begin() + long(begin), m_ids.begin() + long(end)));
}

// reference: huggingface/text-generation-inference, Model.decode_token:
//   prefix_text = decode(ids[prefix:read]);  new_text = decode(ids[prefix:])
//   if len(new_text) > len(prefix_text) and not new_text.endswith("\ufffd"):
//       emit new_text[len(prefix_text):];  prefix, read = read, len(ids)
std::string IncrementalText::push(int id) {
    m_ids.push_back(id);
    const std::string prefix_text = decode_range(m_prefix, m_read);
    const std::string new_text = decode_range(m_prefix, m_ids.size());
    if (new_text.size() > prefix_text.size() && !ends_with_replacement_char(new_text) &&
        new_text.compare(0, prefix_text.size(), prefix_text) == 0) {
        std::string delta = new_text.substr(prefix_text.size());
        m_prefix = m_read;
        m_read = m_ids.size();
        m_text += delta;
        return delta;
    }
    return {};
}

StopStringMatcher::StopStringMatcher(std::vector<std::string> stops) {
    for (auto& s : stops)
        if (!s.empty()) m_stops.push_back(std::move(s));
    for (auto& s : m_stops) m_max_len = std::max(m_max_len, s.size());
}

size_t find_stop_end(const std::string& text, const std::vector<std::string>& stops, size_t from) {
    size_t best = std::string::npos;
    for (auto& s : stops) {
        if (s.empty()) continue;
        size_t pos = text.find(s, from);
        if (pos != std::string::npos) best = std::min(best, pos + s.size());
    }
    return best;
}

size_t StopStringMatcher::feed(const std::string& text) {
    if (m_stops.empty() || text.size() <= m_scanned) return std::string::npos;
    const size_t from = m_scanned >= m_max_len ? m_scanned - (m_max_len - 1) : 0;
    m_scanned = text.size();
    return find_stop_end(text, m_stops, from);
}

}  // namespace rf
