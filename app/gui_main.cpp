// reinforge: the desktop window. `reinforge [CONFIG.yaml]` opens the window with that config, or with
// the last session's (or the embedded default preset's) config.
#include "core/fp_mode.h"
#include "core/resources.h"
#include <QApplication>
#include <QFileInfo>

#include "app_settings.h"
#include "bridge_controller.h"
#include "bridge_window_link.h"
#include "main_window.h"

int main(int argc, char** argv) {
    rf::init_math_threads(argv);  // FTZ/DAZ for every math thread (engine/core/fp_mode.h)
    QApplication app(argc, argv);
    QApplication::setApplicationName("Reinforge");
    QApplication::setOrganizationName("Reinforge");
    QApplication::setApplicationVersion(REINFORGE_VERSION);

    rf::ui::AppSettings settings(rf::ui::AppSettings::defaultPath());
    rf::ui::MainWindow window(&settings);
    window.resize(1280, 800);
    rf::bridge::EngineController controller;
    rf::bridge::linkWindow(&window, &controller);
    window.restoreSession();

    const QStringList args = QApplication::arguments();
    QString config = args.size() > 1 ? args.at(1) : QString();
    if (config.isEmpty() && settings.value(rf::ui::AppSettings::Key::last_config).toString().isEmpty()) {
        const QString preset = QString::fromStdString(rf::resources_dir()) + "/presets/grpo-default.yaml";
        if (QFileInfo::exists(preset)) config = preset;
    }
    if (!config.isEmpty()) window.importYaml(config);
    window.show();
    return app.exec();
}
