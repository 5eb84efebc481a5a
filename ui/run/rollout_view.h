// The latest sampled completions of a run: one table row per completion (step, total reward, one
// column per reward function, advantage, truncated flag, prompt, completion), newest first, and the
// full text of the selected row below it.
#pragma once
#include <QWidget>

#include "run_types.h"

class QTableWidget;
class QTextBrowser;

namespace rf::ui {

class RolloutView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMaxRows = 200;

    explicit RolloutView(QWidget* parent = nullptr);
    void addRollouts(const QList<RolloutRow>& rows);
    void clear();
    int rowCount() const;
    const QList<RolloutRow>& rollouts() const { return m_rows; }  // newest first

private:
    void rebuild();
    void showDetail();
    static QString shortFunctionName(const QString& fn);

    QList<RolloutRow> m_rows;
    QStringList m_functions;
    QStringList m_headers;
    bool m_sized = false;
    QTableWidget* m_table = nullptr;
    QTextBrowser* m_detail = nullptr;
};

}  // namespace rf::ui
