#include "run/before_after_dialog.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include "form/background.h"

namespace rf::ui {

namespace {

QString reward(double r) {
    return std::isnan(r) ? QStringLiteral("—") : QString::number(r, 'g', 3);
}

}  // namespace

BeforeAfterDialog::BeforeAfterDialog(const QString& run_dir, QWidget* parent, AnswerFn answer)
    : QDialog(parent), m_answer(std::move(answer)) {
    setObjectName("beforeAfterDialog");
    setWindowTitle(tr("Before / after: the same prompts, the base and the trained weights"));
    if (!m_answer)
        m_answer = [](const std::string& dir, const std::vector<AnswerSource>& s, const BeforeAfterOptions& o) {
            return before_after(dir, s, o);
        };
    auto* layout = new QVBoxLayout(this);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Run folder:")));
    m_folder = new QLineEdit;
    m_folder->setObjectName("beforeAfterFolder");
    top->addWidget(m_folder, 1);
    auto* browse = new QPushButton(tr("Browse…"));
    browse->setObjectName("beforeAfterBrowse");
    top->addWidget(browse);
    layout->addLayout(top);

    auto* middle = new QHBoxLayout;
    m_source_list = new QListWidget;
    m_source_list->setObjectName("beforeAfterSources");
    m_source_list->setMaximumHeight(110);
    m_source_list->setToolTip(tr("The weights to compare: the base (adapters off), each checkpoint, keep_best's "
                                 "best and the latest adapters"));
    middle->addWidget(m_source_list, 1);
    auto* side = new QVBoxLayout;
    auto* count = new QHBoxLayout;
    count->addWidget(new QLabel(tr("Prompts:")));
    m_prompts = new QSpinBox;
    m_prompts->setObjectName("beforeAfterPrompts");
    m_prompts->setRange(1, 64);
    m_prompts->setValue(4);
    m_prompts->setToolTip(tr("The first prompts of the validation split (else of the training split); answered greedily"));
    count->addWidget(m_prompts);
    side->addLayout(count);
    m_generate = new QPushButton(tr("Generate"));
    m_generate->setObjectName("beforeAfterGenerate");
    side->addWidget(m_generate);
    side->addStretch(1);
    middle->addLayout(side);
    layout->addLayout(middle);

    m_status = new QLabel(tr("Choose the weights to compare and press Generate."));
    m_status->setObjectName("beforeAfterStatus");
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    m_table = new QTableWidget;
    m_table->setObjectName("beforeAfterTable");
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(m_table, 1);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("A run folder"), m_folder->text());
        if (!dir.isEmpty()) setRunFolder(dir);
    });
    connect(m_folder, &QLineEdit::editingFinished, this, [this] { setRunFolder(m_folder->text()); });
    connect(m_generate, &QPushButton::clicked, this, &BeforeAfterDialog::generate);
    resize(1100, 700);
    if (!run_dir.isEmpty()) setRunFolder(run_dir);
}

void BeforeAfterDialog::setRunFolder(const QString& run_dir) {
    m_folder->setText(run_dir);
    m_source_list->clear();
    m_sources.clear();
    try {
        m_sources = answer_sources(run_dir.toStdString());  // a directory listing: quick
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
        return;
    }
    for (const AnswerSource& s : m_sources) {
        auto* item = new QListWidgetItem(QString::fromStdString(s.label), m_source_list);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        const bool on = s.label == "base" || s.label == "best" || s.label == "latest";
        item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
        item->setToolTip(s.adapter_file.empty() ? tr("the base model, adapters off") : QString::fromStdString(s.adapter_file));
    }
    m_status->setText(tr("%n source(s) in this run.", "", int(m_sources.size())));
    emit sourcesListed(int(m_sources.size()));
}

void BeforeAfterDialog::generate() {
    if (m_busy) return;
    std::vector<AnswerSource> chosen;
    for (int i = 0; i < m_source_list->count(); ++i)
        if (m_source_list->item(i)->checkState() == Qt::Checked) chosen.push_back(m_sources[size_t(i)]);
    if (chosen.empty()) return showError(tr("Check at least one source."));
    BeforeAfterOptions o;
    o.prompts = m_prompts->value();
    m_busy = true;
    m_generate->setEnabled(false);
    m_status->setText(tr("Answering %n prompt(s) with each of the chosen weights…", "", o.prompts));
    runInBackground<BeforeAfter>(
        this, [dir = m_folder->text().toStdString(), chosen, o, fn = m_answer] { return fn(dir, chosen, o); },
        [this](const BeforeAfter& ba, const QString& error) {
            m_busy = false;
            m_generate->setEnabled(true);
            if (error.isEmpty()) showAnswers(ba);
            else showError(error);
        });
}

void BeforeAfterDialog::showAnswers(const BeforeAfter& ba) {
    m_table->clear();
    m_table->setColumnCount(int(ba.labels.size()) + 1);
    m_table->setRowCount(int(ba.rows.size()));
    QStringList headers{tr("Prompt")};
    for (size_t k = 0; k < ba.labels.size(); ++k)
        headers << (ba.scored ? tr("%1 (mean %2)").arg(QString::fromStdString(ba.labels[k]), reward(ba.mean_reward[k]))
                              : QString::fromStdString(ba.labels[k]));
    m_table->setHorizontalHeaderLabels(headers);
    for (int p = 0; p < int(ba.rows.size()); ++p) {
        const BeforeAfterRow& r = ba.rows[size_t(p)];
        QString prompt = QString::fromStdString(r.prompt);
        if (!r.answer.empty()) prompt += tr("\n(answer: %1)").arg(QString::fromStdString(r.answer));
        m_table->setItem(p, 0, new QTableWidgetItem(prompt));
        for (int k = 0; k < int(r.cells.size()); ++k) {
            const BeforeAfterCell& c = r.cells[size_t(k)];
            QString text = QString::fromStdString(c.text);
            if (ba.scored) text = QStringLiteral("[%1] ").arg(reward(c.reward)) + text;
            if (c.truncated) text += tr(" (cut)");
            auto* item = new QTableWidgetItem(text);
            item->setToolTip(QString::fromStdString(c.text));
            m_table->setItem(p, k + 1, item);
        }
    }
    m_status->setText(tr("%1 prompt(s) of the %2 split, greedy; each answer with its reward [total].")
                          .arg(ba.rows.size())
                          .arg(ba.split == "valid" ? tr("validation") : tr("training")));
    emit answersShown();
}

void BeforeAfterDialog::showError(const QString& message) {
    m_status->setText("<span style='color:#b00020'>" + message.toHtmlEscaped() + "</span>");
    emit failed(message);
}

}  // namespace rf::ui
