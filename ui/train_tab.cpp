#include "train_tab.h"

#include <QHBoxLayout>
#include <QSplitter>
#include <QVBoxLayout>

#include "form/config_form.h"
#include "form/field_editor.h"
#include "run/live_run_panel.h"
#include "run/before_after_dialog.h"
#include "run/preflight_dialog.h"
#include "run/run_on_box.h"

namespace rf::ui {

TrainTab::TrainTab(QWidget* parent) : QWidget(parent) {
    setObjectName("trainTab");
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_split = new QSplitter(Qt::Horizontal);
    m_split->setObjectName("trainSplitter");
    m_split->setChildrenCollapsible(true);
    m_form = new ConfigForm;
    m_panel = new LiveRunPanel;
    // the left side: the form, and under it where Train runs (below the form, so the Live Run
    // Panel keeps its height)
    auto* left = new QWidget;
    auto* column = new QVBoxLayout(left);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);
    column->addWidget(m_form, 1);
    m_run_on = new RunOnBox;
    column->addWidget(m_run_on);
    m_split->addWidget(left);
    m_split->addWidget(m_panel);
    m_split->setStretchFactor(0, 2);
    m_split->setStretchFactor(1, 3);
    m_split->setCollapsible(0, false);
    layout->addWidget(m_split);

    connect(m_panel, &LiveRunPanel::trainClicked, this, &TrainTab::onTrainClicked);
    connect(m_panel, &LiveRunPanel::preflightClicked, this, &TrainTab::openPreflight);
    connect(m_panel, &LiveRunPanel::beforeAfterClicked, this, &TrainTab::openBeforeAfter);
    connect(m_form, &ConfigForm::trainModeChanged, m_panel, &LiveRunPanel::setTrainMode);
    m_panel->setTrainMode(QString::fromUtf8(enum_name(m_form->config().train_mode).data()));
}

bool TrainTab::refuseFormErrors(const QString& what) {
    const QStringList errors = m_form->errors();
    if (!errors.isEmpty()) {
        m_panel->finishRun(tr("%1 refused: %n error(s) in the form (marked in red).", "", int(errors.size())).arg(what));
        // focus the first invalid field in table order
        for (const KeySpec& spec : run_config_keys()) {
            const QString key = QString::fromStdString(spec.name);
            if (FieldEditor* f = m_form->field(key); f && !f->issue().isEmpty() && m_form->isShown(key)) {
                m_form->focusField(key);
                break;
            }
        }
        return true;
    }
    return false;
}

void TrainTab::onTrainClicked() {
    if (!refuseFormErrors(tr("Train"))) emit trainRequested(m_form->config());
}

void TrainTab::openPreflight() {
    if (m_preflight && m_preflight->busy()) {  // one at a time: show the one that runs
        m_preflight->show();
        m_preflight->raise();
        return;
    }
    if (refuseFormErrors(tr("Preflight"))) return;
    delete m_preflight;
    m_preflight = new PreflightDialog(m_form->config(), this, m_preflight_sample);
    m_preflight->show();
    emit preflightOpened(m_preflight);
}

void TrainTab::setRunning(bool running) {
    m_form->setEditable(!running);
    m_run_on->setEnabled(!running);
}

void TrainTab::openBeforeAfter() {
    if (m_before_after && m_before_after->busy()) {
        m_before_after->show();
        m_before_after->raise();
        return;
    }
    delete m_before_after;
    m_before_after = new BeforeAfterDialog(m_panel->runFolder(), this);
    m_before_after->show();
    emit beforeAfterOpened(m_before_after);
}

}  // namespace rf::ui
