// The application's own settings (not run settings): one table of keys with their QSettings names
// and defaults, stored in an INI file at an explicit path so tests use a temporary one.
#pragma once
#include <QSettings>
#include <QString>
#include <QVariant>

namespace rf::ui {

class AppSettings {
public:
    enum class Key { recent_files, last_config, last_dir, window_geometry, window_state, train_splitter, run_splitter };
    static constexpr int kMaxRecentFiles = 8;

    explicit AppSettings(const QString& ini_path);
    static QString defaultPath();  // ~/.config/Reinforge/reinforge.ini (QStandardPaths)

    QVariant value(Key key) const;
    void setValue(Key key, const QVariant& value);
    void resetToDefaults();
    void sync() { m_settings.sync(); }
    QString path() const { return m_settings.fileName(); }

    QStringList recentFiles() const;
    void addRecentFile(const QString& path);  // most recent first, no duplicates, at most kMaxRecentFiles

private:
    mutable QSettings m_settings;
};

}  // namespace rf::ui
