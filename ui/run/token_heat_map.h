// One completion token by token, each on a background whose colour is a per-token value: the
// log-prob of the token under the policy that sampled it (white = certain, red = unlikely, shaded
// by 1 - p), or the advantage the loss gave it (green positive, red negative; every token of a
// completion carries the completion's advantage). Hovering a token shows its text, log-prob,
// probability and advantage. Built on QTextBrowser: the text wraps and can be selected and copied.
#pragma once
#include <QTextBrowser>

#include "run_types.h"

namespace rf::ui {

class TokenHeatMap : public QTextBrowser {
    Q_OBJECT
public:
    enum class Mode { logprob, advantage };

    explicit TokenHeatMap(QWidget* parent = nullptr);
    // `advantage_scale`: the |advantage| drawn at full colour (the largest of the step, say).
    void setRollout(const RolloutRow& row, double advantage_scale);
    void clearRollout();
    void setMode(Mode mode);
    Mode mode() const { return m_mode; }

    int tokenCount() const { return int(m_row.tokens.size()); }
    QColor tokenColour(int i) const;
    QString tokenToolTip(int i) const;
    static QColor logprobColour(double logp);
    static QColor advantageColour(double advantage, double scale);

signals:
    void tokenHovered(int index);  // -1 when the pointer leaves the tokens

private:
    void render();

    RolloutRow m_row;
    double m_scale = 1.0;
    Mode m_mode = Mode::logprob;
};

}  // namespace rf::ui
