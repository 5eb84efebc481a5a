#include "run/group_tree.h"

#include <QHeaderView>
#include <algorithm>
#include <cmath>

namespace rf::ui {

namespace {

constexpr int kGroupRole = Qt::UserRole + 1;  // group index (group items)
constexpr int kRowRole = Qt::UserRole + 2;    // row index (completion items)
constexpr int kSortRole = Qt::UserRole + 3;   // numeric sort key of a cell

// Sorts numeric columns by their number, not their text.
class Item : public QTreeWidgetItem {
public:
    using QTreeWidgetItem::QTreeWidgetItem;
    bool operator<(const QTreeWidgetItem& other) const override {
        const int c = treeWidget() ? treeWidget()->sortColumn() : 0;
        const QVariant a = data(c, kSortRole), b = other.data(c, kSortRole);
        if (a.isValid() && b.isValid()) return a.toDouble() < b.toDouble();
        return QTreeWidgetItem::operator<(other);
    }
    void setNumber(int c, double v) {
        setText(c, rolloutNumber(v));
        setData(c, kSortRole, std::isfinite(v) ? v : 1e300);
        setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
    }
};

}  // namespace

QString rolloutNumber(double v) { return std::isfinite(v) ? QString::number(v, 'g', 4) : QStringLiteral("\u2013"); }

QString rolloutOneLine(const QString& text, int max_chars) {
    QString s = text.simplified();
    if (s.size() > max_chars) s = s.left(max_chars - 1) + QChar(0x2026);
    return s;
}

QString rewardFunctionShortName(QString fn) {
    if (fn.startsWith(QLatin1String("r1_"))) fn = fn.mid(3);
    if (fn.endsWith(QLatin1String("_reward_func"))) fn.chop(12);
    return fn;
}

GroupTree::GroupTree(QWidget* parent) : QTreeWidget(parent) {
    setObjectName("browserGroups");
    setUniformRowHeights(true);
    setSortingEnabled(true);
    setAlternatingRowColors(true);
    connect(this, &QTreeWidget::currentItemChanged, this, [this] {
        if (signalsBlocked()) return;
        emit selectionMoved();
    });
}

void GroupTree::fill(const RolloutIndex& index, int step, const GroupFilter& filter, int keep_row, int keep_group) {
    const QSignalBlocker block(this);
    setSortingEnabled(false);
    clear();
    // columns: what a group is about first (total, advantage, truncation, notes, text), then one per
    // reward function
    const QStringList fns = index.functions();
    enum { kName, kTotal, kAdvantage, kTrunc, kNotes, kText, kFunctions };
    QStringList headers{tr("Group / completion"), tr("Total"), tr("Advantage"), tr("Trunc."), tr("Notes"),
                        tr("Prompt \u2192 answer / completion")};
    for (const QString& fn : fns) headers << rewardFunctionShortName(fn);
    setHeaderLabels(headers);
    for (int c = 0; c < fns.size(); ++c) headerItem()->setToolTip(kFunctions + c, fns[c]);
    QTreeWidgetItem* select = nullptr;
    for (int gi : index.groupsOfStep(step)) {
        const RolloutGroup& g = index.groups()[gi];
        if (!filter.passes(g)) continue;
        auto* gitem = new Item(this);
        gitem->setData(0, kGroupRole, gi);
        gitem->setText(kName, tr("group %1").arg(g.group + 1));
        gitem->setData(kName, kSortRole, g.group);
        gitem->setNumber(kTotal, g.mean);
        gitem->setToolTip(kTotal, tr("mean %1 \u00b1 %2 (min %3, max %4)")
                                      .arg(rolloutNumber(g.mean), rolloutNumber(g.std), rolloutNumber(g.min), rolloutNumber(g.max)));
        QStringList notes;
        if (g.zeroVariance()) notes << tr("no variance");
        if (g.failed) notes << tr("%1 without signal").arg(g.failed);
        gitem->setText(kTrunc, g.truncated ? QString("%1/%2").arg(g.truncated).arg(g.rows.size()) : QString());
        gitem->setText(kNotes, notes.join(", "));
        const RolloutRow& first = index.rows()[g.rows.front()];
        gitem->setText(kText, rolloutOneLine(first.prompt) +
                                  (first.answer.isEmpty() ? QString() : QString("  \u2192 %1").arg(rolloutOneLine(first.answer, 40))));
        gitem->setToolTip(kText, first.prompt);
        QFont bold = font();
        bold.setBold(true);
        for (int c = 0; c < headers.size(); ++c) {
            gitem->setFont(c, bold);
            if (g.zeroVariance()) gitem->setBackground(c, QColor("#fff4ce"));
        }
        for (int k = 0; k < g.rows.size(); ++k) {
            const int ri = g.rows[k];
            const RolloutRow& r = index.rows()[ri];
            auto* item = new Item(gitem);
            item->setData(0, kRowRole, ri);
            item->setText(kName, tr("completion %1").arg(k + 1));
            item->setData(kName, kSortRole, k);
            item->setNumber(kTotal, r.reward);
            item->setNumber(kAdvantage, r.advantage);
            item->setText(kTrunc, r.truncated ? tr("yes") : QString());
            item->setText(kNotes, r.verdict);
            item->setText(kText, rolloutOneLine(r.completion));
            item->setToolTip(kText, r.completion);
            for (int c = 0; c < fns.size(); ++c)
                if (auto it = r.function_rewards.constFind(fns[c]); it != r.function_rewards.constEnd())
                    item->setNumber(kFunctions + c, *it);
            if (ri == keep_row) select = item;
        }
        if (!select && gi == keep_group) select = gitem;
    }
    setSortingEnabled(true);
    sortByColumn(1, Qt::AscendingOrder);  // worst group first
    expandAll();
    for (int c = 0; c < headers.size(); ++c) resizeColumnToContents(c);
    setColumnWidth(kText, std::min(columnWidth(kText), 340));
    if (!select) select = topLevelItem(0);
    setCurrentItem(select);
}

int GroupTree::currentGroup() const {
    QTreeWidgetItem* item = currentItem();
    if (!item) return -1;
    if (item->parent()) item = item->parent();
    return item->data(0, kGroupRole).toInt();
}

int GroupTree::currentRow() const {
    QTreeWidgetItem* item = currentItem();
    return item && item->parent() ? item->data(0, kRowRole).toInt() : -1;
}

QList<int> GroupTree::shownGroups() const {
    QList<int> out;
    for (int i = 0; i < topLevelItemCount(); ++i) out << topLevelItem(i)->data(0, kGroupRole).toInt();
    return out;
}

bool GroupTree::selectGroup(int group_index) {
    for (int i = 0; i < topLevelItemCount(); ++i)
        if (topLevelItem(i)->data(0, kGroupRole).toInt() == group_index) {
            setCurrentItem(topLevelItem(i));
            scrollToItem(topLevelItem(i), QAbstractItemView::PositionAtTop);
            return true;
        }
    return false;
}

bool GroupTree::selectRow(int row) {
    for (int i = 0; i < topLevelItemCount(); ++i) {
        QTreeWidgetItem* g = topLevelItem(i);
        for (int k = 0; k < g->childCount(); ++k)
            if (g->child(k)->data(0, kRowRole).toInt() == row) {
                setCurrentItem(g->child(k));
                return true;
            }
    }
    return false;
}

}  // namespace rf::ui
