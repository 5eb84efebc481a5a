#include "app_settings.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace rf::ui {

namespace {

struct Entry {
    AppSettings::Key key;
    const char* name;
    QVariant fallback;
};

const Entry& entry(AppSettings::Key key) {
    using K = AppSettings::Key;
    static const Entry table[] = {
        {K::recent_files, "files/recent", QStringList{}},
        {K::last_config, "session/last_config_yaml", QString{}},
        {K::last_dir, "files/last_dir", QDir::homePath()},
        {K::window_geometry, "window/geometry", QByteArray{}},
        {K::window_state, "window/state", QByteArray{}},
        {K::train_splitter, "window/train_splitter", QByteArray{}},
        {K::run_splitter, "window/run_splitter", QByteArray{}},
    };
    for (const Entry& e : table)
        if (e.key == key) return e;
    return table[0];
}

}  // namespace

AppSettings::AppSettings(const QString& ini_path) : m_settings(ini_path, QSettings::IniFormat) {}

QString AppSettings::defaultPath() {
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + "/reinforge.ini";
}

QVariant AppSettings::value(Key key) const {
    const Entry& e = entry(key);
    return m_settings.value(e.name, e.fallback);
}

void AppSettings::setValue(Key key, const QVariant& value) { m_settings.setValue(entry(key).name, value); }

void AppSettings::resetToDefaults() { m_settings.clear(); }

QStringList AppSettings::recentFiles() const { return value(Key::recent_files).toStringList(); }

void AppSettings::addRecentFile(const QString& path) {
    const QString abs = QFileInfo(path).absoluteFilePath();
    QStringList files = recentFiles();
    files.removeAll(abs);
    files.prepend(abs);
    while (files.size() > kMaxRecentFiles) files.removeLast();
    setValue(Key::recent_files, files);
    setValue(Key::last_dir, QFileInfo(abs).absolutePath());
}

}  // namespace rf::ui
