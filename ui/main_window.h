// The Reinforge window: the Train, Rollouts and Compare tabs, the File menu (Import / Export YAML, recent files), a tool bar
// with the same actions, drag-and-drop of a .yaml file, and the window state and last config
// restored from AppSettings at start.
#pragma once
#include <QMainWindow>

class QMenu;
class QTabWidget;

namespace rf {
struct RunConfig;
}

namespace rf::ui {

class AppSettings;
class RolloutBrowser;
class RunComparison;
class TrainTab;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(AppSettings* settings, QWidget* parent = nullptr);

    TrainTab* trainTab() const { return m_train; }
    // The Rollouts tab (live during a run, or a run folder: File ▸ Open run folder…) and the
    // Compare tab (File ▸ Add run to comparison…).
    RolloutBrowser* rolloutBrowser() const { return m_browser; }
    RunComparison* runComparison() const { return m_compare; }
    void showRolloutBrowser();
    void showRunComparison();
    // Import fills every field (YAML problems are listed in a dialog; a file that does not parse at
    // all changes nothing). Export writes the resolved config through QSaveFile.
    bool importYaml(const QString& path, QString* error = nullptr);
    bool exportYaml(const QString& path, QString* error = nullptr);
    void restoreSession();  // window geometry, splitters, the last config
    void saveSession();
    // A failed run: a (non-modal) dialog with the message and the run folder, which is kept.
    void showRunError(const QString& message, const QString& run_dir);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void importWithDialog();
    void exportWithDialog();
    void rebuildRecentMenu();
    void showMessage(const QString& object_name, const QString& title, const QString& text, bool error);
    void setCurrentFile(const QString& path);

    AppSettings* m_settings;
    TrainTab* m_train = nullptr;
    RolloutBrowser* m_browser = nullptr;
    RunComparison* m_compare = nullptr;
    QTabWidget* m_tabs = nullptr;
    QMenu* m_recent = nullptr;
    QString m_current_file;
};

}  // namespace rf::ui
