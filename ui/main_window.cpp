#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSaveFile>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>

#include "app_settings.h"
#include "compare/run_comparison.h"
#include "form/config_form.h"
#include "run/live_run_panel.h"
#include "run/rollout_browser.h"
#include "train_tab.h"

namespace rf::ui {

namespace {

bool isYamlPath(const QString& path) {
    const QString s = QFileInfo(path).suffix().toLower();
    return s == "yaml" || s == "yml";
}

QString issuesText(const std::vector<Issue>& issues, const std::string& file) {
    QStringList lines;
    for (const Issue& i : issues) lines << QString::fromStdString(i.to_string(file));
    return lines.join('\n');
}

// A preset names its model and data relative to itself ("../models/…"). The form shows, and export
// writes, where they really are, so the config works from any folder (the same rule as the engine's
// Session: a path that does not exist as given but exists beside the file).
void resolveRelativePaths(RunConfig& c, const QString& file) {
    const QDir base = QFileInfo(file).absoluteDir();
    auto resolve = [&](const std::string& p) -> std::string {
        const QString q = QString::fromStdString(p);
        if (q.isEmpty() || QFileInfo(q).isAbsolute() || QFileInfo::exists(q) || !QFileInfo::exists(base.filePath(q)))
            return p;
        return QDir::cleanPath(base.absoluteFilePath(q)).toStdString();
    };
    for (const char* key : {"model", "reference_model_path", "reward_functions_file", "resume_adapter_file"}) {
        const std::string v = get_value(c, key), r = resolve(v);
        if (r != v) set_value(c, key, r);
    }
    bool changed = false;
    for (std::string& d : c.data) {
        const std::string r = resolve(d);
        changed |= r != d;
        d = r;
    }
    (void)changed;
}

}  // namespace

MainWindow::MainWindow(AppSettings* settings, QWidget* parent) : QMainWindow(parent), m_settings(settings) {
    setObjectName("mainWindow");
    setWindowTitle(tr("Reinforge"));
    setAcceptDrops(true);

    m_tabs = new QTabWidget;
    m_tabs->setObjectName("mainTabs");
    m_tabs->setDocumentMode(true);
    m_train = new TrainTab;
    m_browser = new RolloutBrowser;
    m_compare = new RunComparison;
    m_tabs->addTab(m_train, tr("Train"));
    m_tabs->addTab(m_browser, tr("Rollouts"));
    m_tabs->addTab(m_compare, tr("Compare"));
    m_tabs->setTabToolTip(1, tr("Browse the rollouts step by step, group by group, token by token"));
    m_tabs->setTabToolTip(2, tr("Overlay the metrics of several runs and see what changed in their configs"));
    setCentralWidget(m_tabs);

    auto* import_action = new QAction(tr("&Import YAML\u2026"), this);
    import_action->setObjectName("importYamlAction");
    import_action->setShortcut(QKeySequence::Open);
    import_action->setToolTip(tr("Fill every field from a run's YAML file (you can also drop a .yaml on the window)"));
    connect(import_action, &QAction::triggered, this, &MainWindow::importWithDialog);
    auto* export_action = new QAction(tr("&Export YAML\u2026"), this);
    export_action->setObjectName("exportYamlAction");
    export_action->setShortcut(QKeySequence::Save);
    export_action->setToolTip(tr("Write every resolved value to a YAML file that reinforge-cli train runs as is"));
    connect(export_action, &QAction::triggered, this, &MainWindow::exportWithDialog);
    auto* open_run_action = new QAction(tr("Open &run folder\u2026"), this);
    open_run_action->setObjectName("openRunFolderAction");
    open_run_action->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    open_run_action->setToolTip(tr("Browse a run's rollouts (its folder holds rollouts.jsonl)"));
    connect(open_run_action, &QAction::triggered, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open run folder"));
        if (dir.isEmpty()) return;
        showRolloutBrowser();
        m_browser->openRunFolder(dir);
    });
    auto* compare_action = new QAction(tr("Add run to &comparison\u2026"), this);
    compare_action->setObjectName("addRunToComparisonAction");
    compare_action->setToolTip(tr("Overlay a run's metrics with other runs' and list what changed in the config"));
    connect(compare_action, &QAction::triggered, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Add run folder to the comparison"));
        if (dir.isEmpty()) return;
        showRunComparison();
        m_compare->addRunFolder(dir);
    });
    connect(m_browser, &RolloutBrowser::folderFailed, this,
            [this](const QString& message) { showMessage("openRunErrorDialog", tr("Open run folder"), message, true); });
    connect(m_compare, &RunComparison::runFailed, this,
            [this](const QString& message) { showMessage("compareRunErrorDialog", tr("Add run to comparison"), message, true); });
    auto* quit_action = new QAction(tr("&Quit"), this);
    quit_action->setObjectName("quitAction");
    quit_action->setShortcut(QKeySequence::Quit);
    connect(quit_action, &QAction::triggered, this, &QWidget::close);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(import_action);
    file->addAction(export_action);
    m_recent = file->addMenu(tr("Recent files"));
    m_recent->setObjectName("recentFilesMenu");
    file->addSeparator();
    file->addAction(open_run_action);
    file->addAction(compare_action);
    file->addSeparator();
    file->addAction(quit_action);

    QToolBar* bar = addToolBar(tr("Config"));
    bar->setObjectName("configToolBar");
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addAction(import_action);
    bar->addAction(export_action);
    statusBar()->showMessage(tr("Ready"));
    rebuildRecentMenu();
}

void MainWindow::showRolloutBrowser() { m_tabs->setCurrentWidget(m_browser); }
void MainWindow::showRunComparison() { m_tabs->setCurrentWidget(m_compare); }

bool MainWindow::importYaml(const QString& path, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        const QString msg = tr("Cannot read file %1:\n%2.").arg(path, file.errorString());
        if (error) *error = msg;
        showMessage("importErrorDialog", tr("Import failed"), msg, true);
        return false;
    }
    const std::string text = file.readAll().toStdString();
    ParsedConfig parsed = parse_run_config(text, path.toStdString());
    // A problem without a key (YAML syntax) means nothing was read: keep the form as it is.
    for (const Issue& i : parsed.issues) {
        if (i.severity == Severity::error && i.key.empty()) {
            const QString msg = issuesText(parsed.issues, path.toStdString());
            if (error) *error = msg;
            showMessage("importErrorDialog", tr("Import failed"), msg, true);
            return false;
        }
    }
    resolveRelativePaths(parsed.config, path);
    forget_defaulted_keys(parsed.config);  // so that switching mode moves the per-mode defaults along
    m_train->form()->setConfig(parsed.config);
    setCurrentFile(path);
    m_settings->addRecentFile(path);
    rebuildRecentMenu();
    if (!parsed.issues.empty()) {
        const QString msg = issuesText(parsed.issues, path.toStdString());
        if (error) *error = msg;
        showMessage("importIssuesDialog", tr("Imported with problems"),
                    tr("%1 was imported; fix these before training (they are also marked in the form):\n\n%2")
                        .arg(path, msg),
                    has_errors(parsed.issues));
    }
    statusBar()->showMessage(tr("Imported %1").arg(path), 5000);
    return true;
}

bool MainWindow::exportYaml(const QString& path, QString* error) {
    QSaveFile file(path);
    const std::string yaml = to_yaml(m_train->form()->config());
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text) || file.write(yaml.data(), qint64(yaml.size())) < 0 ||
        !file.commit()) {
        const QString msg = tr("Cannot write file %1:\n%2.").arg(path, file.errorString());
        if (error) *error = msg;
        showMessage("exportErrorDialog", tr("Export failed"), msg, true);
        return false;
    }
    setCurrentFile(path);
    m_settings->addRecentFile(path);
    rebuildRecentMenu();
    statusBar()->showMessage(tr("Exported %1").arg(path), 5000);
    return true;
}

void MainWindow::importWithDialog() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Import run configuration"),
                                                      m_settings->value(AppSettings::Key::last_dir).toString(),
                                                      tr("YAML files (*.yaml *.yml);;All files (*)"));
    if (!path.isEmpty()) importYaml(path);
}

void MainWindow::exportWithDialog() {
    QString start = m_current_file;
    if (start.isEmpty()) {
        const std::string& name = m_train->form()->config().run_name;
        start = m_settings->value(AppSettings::Key::last_dir).toString() + "/" +
                (name.empty() ? QString("run") : QString::fromStdString(name)) + ".yaml";
    }
    QString path = QFileDialog::getSaveFileName(this, tr("Export run configuration"), start, tr("YAML files (*.yaml *.yml)"));
    if (path.isEmpty()) return;
    if (!isYamlPath(path)) path += ".yaml";
    exportYaml(path);
}

void MainWindow::rebuildRecentMenu() {
    m_recent->clear();
    const QStringList files = m_settings->recentFiles();
    for (const QString& f : files) {
        QAction* a = m_recent->addAction(QFileInfo(f).fileName() + "   " + QFileInfo(f).absolutePath());
        connect(a, &QAction::triggered, this, [this, f] { importYaml(f); });
    }
    m_recent->setEnabled(!files.isEmpty());
}

void MainWindow::setCurrentFile(const QString& path) {
    m_current_file = path;
    setWindowTitle(tr("%1 \u2014 Reinforge").arg(QFileInfo(path).fileName()));
}

void MainWindow::showMessage(const QString& object_name, const QString& title, const QString& text, bool error) {
    // non-modal: never blocks the event loop (tests and a running training keep going)
    auto* box = new QMessageBox(error ? QMessageBox::Warning : QMessageBox::Information, title, text,
                                QMessageBox::Ok, this);
    box->setObjectName(object_name);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->open();
}

void MainWindow::showRunError(const QString& message, const QString& run_dir) {
    QString text = tr("The run stopped with an error:\n\n%1").arg(message);
    if (!run_dir.isEmpty())
        text += tr("\n\nThe run folder is kept, with the last good checkpoint:\n%1").arg(run_dir);
    showMessage("runErrorDialog", tr("Run failed"), text, true);
}

void MainWindow::restoreSession() {
    restoreGeometry(m_settings->value(AppSettings::Key::window_geometry).toByteArray());
    restoreState(m_settings->value(AppSettings::Key::window_state).toByteArray());
    m_train->splitter()->restoreState(m_settings->value(AppSettings::Key::train_splitter).toByteArray());
    const QString yaml = m_settings->value(AppSettings::Key::last_config).toString();
    if (yaml.isEmpty()) return;
    ParsedConfig parsed = parse_run_config(yaml.toStdString(), "(last session)");
    for (const Issue& i : parsed.issues)
        if (i.severity == Severity::error && i.key.empty()) return;  // unreadable: keep the defaults
    forget_defaulted_keys(parsed.config);
    m_train->form()->setConfig(parsed.config);
}

void MainWindow::saveSession() {
    m_settings->setValue(AppSettings::Key::window_geometry, saveGeometry());
    m_settings->setValue(AppSettings::Key::window_state, saveState());
    m_settings->setValue(AppSettings::Key::train_splitter, m_train->splitter()->saveState());
    m_settings->setValue(AppSettings::Key::last_config, QString::fromStdString(to_yaml(m_train->form()->config())));
    m_settings->sync();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveSession();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.front().isLocalFile() && isYamlPath(urls.front().toLocalFile()))
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (urls.size() != 1 || !urls.front().isLocalFile()) return;
    event->acceptProposedAction();
    importYaml(urls.front().toLocalFile());
}

}  // namespace rf::ui
