// The Train tab: the config form (left) and the Live Run Panel (right), in a splitter.
// Pressing Train validates through the form: with errors, the run is refused and the first invalid
// field is focused; otherwise trainRequested(config) is emitted (the app starts the engine).
#pragma once
#include <QWidget>

#include "config/run_config.h"

class QSplitter;

namespace rf::ui {

class ConfigForm;
class LiveRunPanel;

class TrainTab : public QWidget {
    Q_OBJECT
public:
    explicit TrainTab(QWidget* parent = nullptr);

    ConfigForm* form() const { return m_form; }
    LiveRunPanel* runPanel() const { return m_panel; }
    QSplitter* splitter() const { return m_split; }
    void setRunning(bool running);  // the form is read-only while a run goes

signals:
    void trainRequested(const rf::RunConfig& config);

private:
    void onTrainClicked();

    ConfigForm* m_form = nullptr;
    LiveRunPanel* m_panel = nullptr;
    QSplitter* m_split = nullptr;
};

}  // namespace rf::ui
