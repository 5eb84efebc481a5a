#include "form/dataset_preview_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include "core/error.h"
#include "data/dataset_preview.h"
#include "form/background.h"
#include "qt_text.h"

namespace rf::ui {

namespace {

struct Loaded {
    std::string text;
    QStringList configs, columns;
    QString config;
};

}  // namespace

DatasetPreviewDialog::DatasetPreviewDialog(const RunConfig& config, QWidget* parent)
    : QDialog(parent), m_config(config), m_cancelled(std::make_shared<std::atomic<bool>>(false)) {
    setObjectName("dataset_preview");
    setWindowTitle(tr("Dataset preview \u2014 %1").arg(qs(config.data.empty() ? std::string() : config.data.front())));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    auto combo = [](const char* name) {
        auto* c = new QComboBox;
        c->setObjectName(name);
        c->setEditable(true);
        c->setInsertPolicy(QComboBox::NoInsert);
        return c;
    };
    m_dataset_config = combo("preview_dataset_config");
    m_prompt = combo("preview_prompt_feature");
    m_answer = combo("preview_answer_feature");
    m_pattern = new QLineEdit(qs(config.answer_pattern));
    m_pattern->setObjectName("preview_answer_pattern");
    m_pattern->setPlaceholderText(tr("regex with a group, or gsm8k / boxed; empty = the column as is"));
    form->addRow(tr("Configuration"), m_dataset_config);
    form->addRow(tr("Prompt column"), m_prompt);
    form->addRow(tr("Answer column"), m_answer);
    form->addRow(tr("Answer pattern"), m_pattern);
    layout->addLayout(form);
    m_status = new QLabel;
    m_status->setObjectName("preview_status");
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    m_text = new QPlainTextEdit;
    m_text->setObjectName("preview_text");
    m_text->setReadOnly(true);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    layout->addWidget(m_text, 1);
    auto* buttons = new QDialogButtonBox;
    m_use = buttons->addButton(tr("Use these settings"), QDialogButtonBox::AcceptRole);
    m_use->setObjectName("preview_use");
    m_cancel = buttons->addButton(tr("Cancel download"), QDialogButtonBox::ActionRole);
    m_cancel->setObjectName("preview_cancel");
    m_cancel->hide();
    auto* close = buttons->addButton(QDialogButtonBox::Close);
    layout->addWidget(buttons);
    connect(m_use, &QPushButton::clicked, this, [this] {
        const RunConfig c = current();
        emit settingsChosen({{"dataset_config", qs(c.dataset_config)},
                             {"prompt_feature", qs(c.prompt_feature)},
                             {"answer_feature", qs(c.answer_feature)},
                             {"answer_pattern", qs(c.answer_pattern)}});
        accept();
    });
    connect(close, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_cancel, &QPushButton::clicked, this, [this] { m_cancelled->store(true); });
    for (QComboBox* c : {m_dataset_config, m_prompt, m_answer}) connect(c, &QComboBox::activated, this, &DatasetPreviewDialog::reload);
    connect(m_pattern, &QLineEdit::editingFinished, this, &DatasetPreviewDialog::reload);
    fillChoices({}, qs(config.dataset_config), {});
    m_prompt->setEditText(qs(config.prompt_feature));
    m_answer->setEditText(qs(config.answer_feature));
    resize(760, 620);
    reload();
}

DatasetPreviewDialog::~DatasetPreviewDialog() { m_cancelled->store(true); }  // a download in progress stops

RunConfig DatasetPreviewDialog::current() const {
    RunConfig c = m_config;
    c.dataset_config = m_dataset_config->currentText().trimmed().toStdString();
    if (c.dataset_config == "-") c.dataset_config.clear();
    c.prompt_feature = m_prompt->currentText().trimmed().toStdString();
    c.answer_feature = m_answer->currentText().trimmed().toStdString();
    c.answer_pattern = m_pattern->text().trimmed().toStdString();
    return c;
}

void DatasetPreviewDialog::fillChoices(const QStringList& configs, const QString& config, const QStringList& columns) {
    QSignalBlocker b1(m_dataset_config), b2(m_prompt), b3(m_answer);
    m_dataset_config->clear();
    m_dataset_config->addItems(configs);
    m_dataset_config->setEnabled(!configs.isEmpty() || !config.isEmpty());
    m_dataset_config->setEditText(config);
    for (QComboBox* c : {m_prompt, m_answer}) {
        const QString keep = c->currentText();
        c->clear();
        c->addItems(columns);
        c->setEditText(keep);
    }
}

void DatasetPreviewDialog::reload() {
    const int id = ++m_loads;
    m_loading = true;
    m_cancelled = std::make_shared<std::atomic<bool>>(false);
    m_status->setText(tr("Reading the dataset\u2026"));
    m_use->setEnabled(false);
    const RunConfig cfg = current();
    auto cancelled = m_cancelled;
    QPointer<QLabel> status(m_status);
    QPointer<QPushButton> cancel(m_cancel);
    // download progress: posted to the GUI thread, shown in the status line
    HubProgressFn progress = [cancelled, status, cancel](const HubProgress& p) {
        QString line = tr("Downloading %1 (file %2 of %3)\u2026").arg(qs(p.file)).arg(p.files_done + 1).arg(p.files_total);
        QMetaObject::invokeMethod(qApp, [status, cancel, line] {
            if (status) status->setText(line);
            if (cancel) cancel->show();
        }, Qt::QueuedConnection);
        return !cancelled->load();
    };
    runInBackground<Loaded>(
        this,
        [cfg, progress] {
            if (cfg.data.empty()) throw InputError({}, 0, "data", "no dataset in the form");
            DatasetPreview p = preview_dataset(cfg.data.front(), cfg, 5, progress);
            Loaded l;
            l.text = preview_text(p, cfg);
            for (const auto& c : p.files.configs) l.configs << qs(c);
            for (const auto& [name, type] : p.columns) l.columns << qs(name);
            l.config = qs(p.files.config);
            return l;
        },
        [this, id](const Loaded& l, const QString& error) {
            if (id != m_loads) return;  // a newer load is on its way
            m_loading = false;
            m_cancel->hide();
            if (error.isEmpty()) {
                fillChoices(l.configs, l.config, l.columns);
                m_text->setPlainText(qs(l.text));
                m_status->setText(tr("As the run will read it."));
                m_use->setEnabled(true);
            } else {
                m_status->setText(error);
                m_status->setStyleSheet("color: #b00020;");
            }
            if (error.isEmpty()) m_status->setStyleSheet({});
            emit loaded();
        });
}

QString DatasetPreviewDialog::previewText() const { return m_text->toPlainText(); }
QString DatasetPreviewDialog::status() const { return m_status->text(); }

}  // namespace rf::ui
