#include "run/preflight_dialog.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include "form/background.h"

namespace rf::ui {

namespace {

QString num(double v) {
    return std::isnan(v) ? QStringLiteral("—") : QString::number(v, 'g', 4);
}

// A function's values at a glance: "0 ×12 · 2 ×4" for few distinct values, else a bar per bin.
QString distribution(const PreflightFunction& f) {
    if (!f.counts.empty()) {
        QStringList parts;
        for (const auto& [v, n] : f.counts) parts << QStringLiteral("%1 ×%2").arg(num(v)).arg(n);
        return parts.join(QStringLiteral(" · "));
    }
    if (f.bins.empty()) return {};
    static const QString bars = QStringLiteral("▁▂▃▄▅▆▇█");
    int top = 1;
    for (int b : f.bins) top = std::max(top, b);
    QString s;
    for (int b : f.bins) s += b == 0 ? QStringLiteral(" ") : QString(bars[std::min(7, b * 8 / (top + 1))]);
    return QStringLiteral("%1 [%2] %3").arg(num(f.lo), s, num(f.hi));
}

QTableWidget* makeTable(const QString& name, const QStringList& headers) {
    auto* t = new QTableWidget(0, int(headers.size()));
    t->setObjectName(name);
    t->setHorizontalHeaderLabels(headers);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->verticalHeader()->setVisible(false);
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
}

void setRow(QTableWidget* t, int row, const QStringList& cells) {
    for (int c = 0; c < cells.size(); ++c) t->setItem(row, c, new QTableWidgetItem(cells[c]));
}

}  // namespace

PreflightDialog::PreflightDialog(const RunConfig& cfg, QWidget* parent, SampleFn sample, ScoreFn score)
    : QDialog(parent), m_cfg(cfg), m_sample(std::move(sample)), m_score(std::move(score)) {
    setObjectName("preflightDialog");
    setWindowTitle(tr("Preflight: what the first steps would see"));
    if (!m_sample) m_sample = [](const RunConfig& c, int k) { return preflight(c, k); };
    if (!m_score) m_score = [](const RunConfig& c, const std::vector<CompletionRow>& rows) { return score_completions(c, rows); };
    auto* layout = new QVBoxLayout(this);

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Groups to sample:")));
    m_groups = new QSpinBox;
    m_groups->setObjectName("preflightGroups");
    m_groups->setRange(1, 256);
    m_groups->setValue(std::max(8, cfg.batch_size));
    m_groups->setToolTip(tr("The first groups of the run's training order, sampled from the starting model with the run's "
                            "settings (the first batch_size are exactly step 1's)"));
    bar->addWidget(m_groups);
    m_run = new QPushButton(tr("Run"));
    m_run->setObjectName("preflightRun");
    bar->addWidget(m_run);
    bar->addStretch(1);
    layout->addLayout(bar);

    m_verdict = new QLabel(tr("Press Run to sample and score the run's first groups without training."));
    m_verdict->setObjectName("preflightVerdict");
    m_verdict->setWordWrap(true);
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_verdict);

    auto* split = new QSplitter(Qt::Vertical);
    m_functions = makeTable("preflightFunctions", {tr("Function"), tr("Weight"), tr("Scored"), tr("Mean"), tr("Non-zero"),
                                                   tr("Values")});
    m_group_table = makeTable("preflightGroupTable", {tr("Prompt"), tr("Mean"), tr("Std"), tr("Signal"), tr("Truncated")});
    m_group_table->horizontalHeader()->setStretchLastSection(false);
    m_group_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_examples = new QPlainTextEdit;
    m_examples->setObjectName("preflightExamples");
    m_examples->setReadOnly(true);
    m_examples->setPlaceholderText(tr("One example completion per reward level appears here."));
    split->addWidget(m_functions);
    split->addWidget(m_group_table);
    split->addWidget(m_examples);
    layout->addWidget(split, 1);

    auto* trial = new QGroupBox(tr("Try a completion with the run's reward functions"));
    auto* form = new QFormLayout(trial);
    m_prompt = new QLineEdit;
    m_prompt->setObjectName("preflightPrompt");
    m_answer = new QLineEdit;
    m_answer->setObjectName("preflightAnswer");
    m_completion = new QPlainTextEdit;
    m_completion->setObjectName("preflightCompletion");
    m_completion->setMaximumHeight(80);
    m_completion->setPlaceholderText(tr("<think> … </think> <answer> 4 </answer>"));
    m_score_button = new QPushButton(tr("Score"));
    m_score_button->setObjectName("preflightScore");
    m_score_result = new QLabel;
    m_score_result->setObjectName("preflightScoreResult");
    m_score_result->setWordWrap(true);
    m_score_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Prompt"), m_prompt);
    form->addRow(tr("Answer"), m_answer);
    form->addRow(tr("Completion"), m_completion);
    form->addRow(m_score_button, m_score_result);
    layout->addWidget(trial);

    connect(m_run, &QPushButton::clicked, this, &PreflightDialog::run);
    connect(m_score_button, &QPushButton::clicked, this, &PreflightDialog::score);
    resize(900, 760);
}

void PreflightDialog::setBusy(bool busy) {
    m_busy = busy;
    m_run->setEnabled(!busy);
    m_score_button->setEnabled(!busy);
}

void PreflightDialog::run() {
    if (m_busy) return;
    setBusy(true);
    const int k = m_groups->value();
    m_verdict->setText(tr("Sampling %n group(s) from the starting model…", "", k));
    runInBackground<PreflightReport>(this, [cfg = m_cfg, k, fn = m_sample] { return fn(cfg, k); },
                                     [this](const PreflightReport& r, const QString& error) {
                                         setBusy(false);
                                         if (error.isEmpty()) showReport(r);
                                         else showError(error);
                                     });
}

void PreflightDialog::score() {
    if (m_busy) return;
    setBusy(true);
    std::vector<CompletionRow> rows{{m_prompt->text().toStdString(), m_completion->toPlainText().toStdString(),
                                     m_answer->text().toStdString(), {}}};
    m_score_result->setText(tr("Scoring…"));
    runInBackground<PreflightReport>(this, [cfg = m_cfg, rows, fn = m_score] { return fn(cfg, rows); },
                                     [this](const PreflightReport& r, const QString& error) {
                                         setBusy(false);
                                         if (!error.isEmpty()) {
                                             m_score_result->setText(error.toHtmlEscaped());
                                             emit failed(error);
                                         } else {
                                             showScore(r);
                                         }
                                     });
}

void PreflightDialog::showReport(const PreflightReport& r) {
    QStringList lines;
    for (const std::string& v : r.verdict) lines << QString::fromStdString(v).toHtmlEscaped();
    if (!lines.isEmpty()) lines[0] = "<b>" + lines[0] + "</b>";
    m_verdict->setText(lines.join("<br>"));
    m_functions->setRowCount(int(r.functions.size()));
    for (int i = 0; i < int(r.functions.size()); ++i) {
        const PreflightFunction& f = r.functions[size_t(i)];
        const double share = r.completions ? double(f.scored) / r.completions : 0.0;
        setRow(m_functions, i, {QString::fromStdString(f.name), num(f.weight), QString::number(share * 100, 'f', 0) + "%",
                                num(f.mean), QString::number(f.nonzero_share * 100, 'f', 0) + "%", distribution(f)});
    }
    m_functions->resizeColumnsToContents();
    m_group_table->setRowCount(int(r.groups.size()));
    for (int i = 0; i < int(r.groups.size()); ++i) {
        const PreflightGroup& g = r.groups[size_t(i)];
        int cut = 0;
        for (const PreflightCompletion& c : g.completions) cut += c.truncated ? 1 : 0;
        QString prompt = QString::fromStdString(g.prompt).simplified();
        setRow(m_group_table, i, {prompt, num(g.mean), num(std::sqrt(g.variance)), g.signal ? tr("yes") : tr("no"),
                                  QStringLiteral("%1/%2").arg(cut).arg(g.completions.size())});
        m_group_table->item(i, 0)->setToolTip(QString::fromStdString(g.prompt));
    }
    QString ex;
    for (const PreflightExample& e : r.examples) {
        const PreflightCompletion& c = r.groups[size_t(e.group)].completions[size_t(e.index)];
        ex += tr("— total %1 (group %2):\n").arg(num(e.total)).arg(e.group + 1) + QString::fromStdString(c.text) + "\n\n";
    }
    m_examples->setPlainText(ex);
    emit reportShown();
}

void PreflightDialog::showScore(const PreflightReport& r) {
    if (r.groups.empty() || r.groups[0].completions.empty()) return showError(tr("nothing was scored"));
    const PreflightCompletion& c = r.groups[0].completions[0];
    QStringList parts;
    for (size_t k = 0; k < c.rewards.size() && k < r.function_names.size(); ++k)
        parts << QStringLiteral("%1 %2").arg(QString::fromStdString(r.function_names[k]), num(c.rewards[k]));
    m_score_result->setText(tr("<b>total %1</b> (the weighted sum) · %2").arg(num(c.total), parts.join(QStringLiteral(" · ")).toHtmlEscaped()));
    emit scoreShown();
}

void PreflightDialog::showError(const QString& message) {
    m_verdict->setText("<span style='color:#b00020'>" + message.toHtmlEscaped() + "</span>");
    emit failed(message);
}

}  // namespace rf::ui
