// The Train tab: the config form (left) and the Live Run Panel (right), in a splitter.
// Pressing Train validates through the form: with errors, the run is refused and the first invalid
// field is focused; otherwise trainRequested(config) is emitted (the app starts the engine).
// Preflight… validates the same way and opens the reward workbench (run/preflight_dialog.h).
#pragma once
#include <QPointer>
#include <QWidget>

#include "config/run_config.h"
#include "run/before_after_dialog.h"
#include "run/preflight_dialog.h"

class QSplitter;

namespace rf::ui {

class ConfigForm;
class LiveRunPanel;
class RunOnBox;

class TrainTab : public QWidget {
    Q_OBJECT
public:
    explicit TrainTab(QWidget* parent = nullptr);

    ConfigForm* form() const { return m_form; }
    LiveRunPanel* runPanel() const { return m_panel; }
    QSplitter* splitter() const { return m_split; }
    RunOnBox* runOn() const { return m_run_on; }  // "Run on": this computer or MPI (run/run_on_box.h)
    void setRunning(bool running);  // the form is read-only while a run goes
    // Preflight… (beside Train): the reward workbench on the form's config; tests may replace what
    // it samples with.
    void openPreflight();
    void setPreflightSampler(PreflightDialog::SampleFn fn) { m_preflight_sample = std::move(fn); }
    // Before / after… (beside Train): the run folder of the current or last run, or none (Browse…).
    void openBeforeAfter();

signals:
    void trainRequested(const rf::RunConfig& config);
    void preflightOpened(rf::ui::PreflightDialog* dialog);
    void beforeAfterOpened(rf::ui::BeforeAfterDialog* dialog);

private:
    void onTrainClicked();
    bool refuseFormErrors(const QString& what);  // true (and the first bad field focused) when the form has errors

    ConfigForm* m_form = nullptr;
    LiveRunPanel* m_panel = nullptr;
    QSplitter* m_split = nullptr;
    RunOnBox* m_run_on = nullptr;
    QPointer<PreflightDialog> m_preflight;
    PreflightDialog::SampleFn m_preflight_sample;
    QPointer<BeforeAfterDialog> m_before_after;
};

}  // namespace rf::ui
