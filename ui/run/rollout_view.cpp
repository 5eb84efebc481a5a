#include "run/rollout_view.h"

#include <QHeaderView>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace rf::ui {

namespace {

QString oneLine(const QString& text, int max_chars = 120) {
    QString s = text.simplified();
    if (s.size() > max_chars) s = s.left(max_chars - 1) + QChar(0x2026);
    return s;
}

}  // namespace

RolloutView::RolloutView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* split = new QSplitter(Qt::Horizontal);
    m_table = new QTableWidget;
    m_table->setObjectName("rolloutTable");
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    m_detail = new QTextBrowser;
    m_detail->setObjectName("rolloutDetail");
    m_detail->setPlaceholderText(tr("Select a row to read the whole prompt and completion."));
    split->addWidget(m_table);
    split->addWidget(m_detail);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({600, 300});
    layout->addWidget(split);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &RolloutView::showDetail);
    rebuild();
}

QString RolloutView::shortFunctionName(const QString& fn) {
    QString s = fn;
    if (s.startsWith(QLatin1String("r1_"))) s = s.mid(3);
    if (s.endsWith(QLatin1String("_reward_func"))) s.chop(12);
    return s;
}

void RolloutView::addRollouts(const QList<RolloutRow>& rows) {
    for (const RolloutRow& r : rows) {
        m_rows.prepend(r);
        for (auto it = r.function_rewards.constBegin(); it != r.function_rewards.constEnd(); ++it)
            if (!m_functions.contains(it.key())) m_functions.append(it.key());
    }
    while (m_rows.size() > kMaxRows) m_rows.removeLast();
    rebuild();
}

void RolloutView::clear() {
    m_rows.clear();
    m_functions.clear();
    m_sized = false;
    rebuild();
    m_detail->clear();
}

int RolloutView::rowCount() const { return m_table->rowCount(); }

// Rewrites the rows in place (items are reused); columns are sized only when they change, since
// measuring every cell is what makes a table slow to update.
void RolloutView::rebuild() {
    QStringList headers{tr("Step"), tr("Reward")};
    for (const QString& fn : std::as_const(m_functions)) headers << shortFunctionName(fn);
    headers << tr("Advantage") << tr("Trunc.") << tr("Prompt") << tr("Completion");
    m_table->setUpdatesEnabled(false);
    const bool new_columns = headers != m_headers;
    if (new_columns) {
        m_headers = headers;
        m_table->setColumnCount(int(headers.size()));
        m_table->setHorizontalHeaderLabels(headers);
        for (int c = 0; c < m_functions.size(); ++c) m_table->horizontalHeaderItem(2 + c)->setToolTip(m_functions[c]);
    }
    const int rows = int(m_rows.size());
    const int cols = int(headers.size());
    m_table->setRowCount(rows);
    auto set = [&](int r, int c, const QString& text, bool number) {
        QTableWidgetItem* item = m_table->item(r, c);
        if (!item) {
            item = new QTableWidgetItem;
            if (number) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(r, c, item);
        }
        if (item->text() != text) item->setText(text);
    };
    for (int r = 0; r < rows; ++r) {
        const RolloutRow& row = m_rows[r];
        int c = 0;
        set(r, c++, QString::number(row.step), true);
        set(r, c++, QString::number(row.reward, 'g', 4), true);
        for (const QString& fn : std::as_const(m_functions)) {
            auto it = row.function_rewards.constFind(fn);
            set(r, c++, it == row.function_rewards.constEnd() ? QString() : QString::number(*it, 'g', 4), true);
        }
        set(r, c++, QString::number(row.advantage, 'g', 4), true);
        set(r, c++, row.truncated ? tr("yes") : QString(), false);
        set(r, c++, oneLine(row.prompt), false);
        set(r, c++, oneLine(row.completion), false);
        Q_ASSERT(c == cols);
    }
    if (new_columns || (rows > 0 && !m_sized)) {
        m_table->resizeColumnsToContents();
        const int prompt_col = cols - 2;
        m_table->setColumnWidth(prompt_col, std::min(m_table->columnWidth(prompt_col), 220));
        m_sized = rows > 0;
    }
    m_table->setUpdatesEnabled(true);
}

void RolloutView::showDetail() {
    const auto selected = m_table->selectionModel()->selectedRows();
    if (selected.isEmpty()) return;
    const int r = selected.front().row();
    if (r < 0 || r >= m_rows.size()) return;
    const RolloutRow& row = m_rows[r];
    QString html = tr("<b>Step %1</b> &middot; reward %2 &middot; advantage %3%4")
                       .arg(row.step)
                       .arg(row.reward, 0, 'g', 4)
                       .arg(row.advantage, 0, 'g', 4)
                       .arg(row.truncated ? tr(" &middot; <i>truncated</i>") : QString());
    for (auto it = row.function_rewards.constBegin(); it != row.function_rewards.constEnd(); ++it)
        html += QString("<br>%1 = %2").arg(it.key().toHtmlEscaped()).arg(it.value(), 0, 'g', 4);
    html += tr("<p><b>Prompt</b></p><pre style='white-space:pre-wrap'>%1</pre>").arg(row.prompt.toHtmlEscaped());
    html += tr("<p><b>Completion</b></p><pre style='white-space:pre-wrap'>%1</pre>").arg(row.completion.toHtmlEscaped());
    m_detail->setHtml(html);
}

}  // namespace rf::ui
