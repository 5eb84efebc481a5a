// std::string (UTF-8, the engine's strings) -> QString, written once for the UI and the bridge.
#pragma once
#include <QString>
#include <string_view>

namespace rf::ui {

inline QString qs(std::string_view s) { return QString::fromUtf8(s.data(), qsizetype(s.size())); }

}  // namespace rf::ui
