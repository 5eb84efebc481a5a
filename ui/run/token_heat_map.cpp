#include "run/token_heat_map.h"

#include <QCursor>
#include <QToolTip>
#include <QUrl>
#include <algorithm>
#include <cmath>

namespace rf::ui {

namespace {

QColor mix(const QColor& a, const QColor& b, double t) {
    t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0);
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t), float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

// What a token looks like in the text: a newline is drawn as ↵ and breaks the line, a token that
// holds only part of a character (its text is on a later token) as a middle dot.
QString shown(const QString& text) {
    if (text.isEmpty()) return QStringLiteral("\u00b7");
    QString out;
    for (const QChar c : text) {
        if (c == '\n') out += QStringLiteral("\u21b5<br>");
        else if (c == '\t') out += QStringLiteral("&nbsp;&nbsp;&nbsp;&nbsp;");
        else if (c == ' ') out += QStringLiteral("&nbsp;");
        else out += QString(c).toHtmlEscaped();
    }
    return out;
}

}  // namespace

TokenHeatMap::TokenHeatMap(QWidget* parent) : QTextBrowser(parent) {
    setObjectName("tokenHeatMap");
    setOpenLinks(false);
    setOpenExternalLinks(false);
    setPlaceholderText(tr("Select a completion to see its tokens."));
    connect(this, &QTextBrowser::highlighted, this, [this](const QUrl& url) {
        bool ok = false;
        const int i = url.toString().mid(2).toInt(&ok);
        if (!ok || url.isEmpty() || i < 0 || i >= tokenCount()) {
            QToolTip::hideText();
            emit tokenHovered(-1);
            return;
        }
        QToolTip::showText(QCursor::pos(), tokenToolTip(i), this);
        emit tokenHovered(i);
    });
}

QColor TokenHeatMap::logprobColour(double logp) {
    if (!std::isfinite(logp)) return QColor("#e0e0e0");
    return mix(QColor(Qt::white), QColor("#e0453a"), 1.0 - std::exp(std::min(0.0, logp)));
}

QColor TokenHeatMap::advantageColour(double advantage, double scale) {
    if (!std::isfinite(advantage)) return QColor("#e0e0e0");
    const double t = scale > 0 ? std::fabs(advantage) / scale : 0.0;
    return mix(QColor(Qt::white), advantage >= 0 ? QColor("#2e9d4f") : QColor("#e0453a"), 0.85 * t);
}

void TokenHeatMap::setRollout(const RolloutRow& row, double advantage_scale) {
    m_row = row;
    m_scale = advantage_scale > 0 && std::isfinite(advantage_scale) ? advantage_scale : std::fabs(row.advantage);
    render();
}

void TokenHeatMap::clearRollout() {
    m_row = RolloutRow{};
    clear();
}

void TokenHeatMap::setMode(Mode mode) {
    if (mode == m_mode) return;
    m_mode = mode;
    render();
}

QColor TokenHeatMap::tokenColour(int i) const {
    if (i < 0 || i >= tokenCount()) return {};
    if (m_mode == Mode::advantage) return advantageColour(m_row.advantage, m_scale);
    return logprobColour(i < m_row.token_logps.size() ? m_row.token_logps[i] : std::nan(""));
}

QString TokenHeatMap::tokenToolTip(int i) const {
    if (i < 0 || i >= tokenCount()) return {};
    const double lp = i < m_row.token_logps.size() ? m_row.token_logps[i] : std::nan("");
    QString text = m_row.tokens[i];
    text.replace('\n', QStringLiteral("\\n"));
    return tr("token %1 of %2: \u201c%3\u201d\nlog-prob %4 (p = %5)\nadvantage %6")
        .arg(i + 1)
        .arg(tokenCount())
        .arg(text)
        .arg(lp, 0, 'f', 4)
        .arg(std::exp(lp), 0, 'f', 3)
        .arg(m_row.advantage, 0, 'g', 4);
}

void TokenHeatMap::render() {
    if (m_row.tokens.isEmpty()) {
        // a run folder written before tokens were recorded: the text alone
        setHtml(m_row.completion.isEmpty() ? QString()
                                           : tr("<p style='color:gray'>This run recorded no tokens; the completion:</p><pre "
                                                "style='white-space:pre-wrap'>%1</pre>")
                                                 .arg(m_row.completion.toHtmlEscaped()));
        return;
    }
    QString html = QStringLiteral("<p style='line-height:140%'>");
    for (int i = 0; i < tokenCount(); ++i)
        html += QString("<a href='t:%1' style='background-color:%2; color:black; text-decoration:none'>%3</a>")
                    .arg(i)
                    .arg(tokenColour(i).name(), shown(m_row.tokens[i]));
    html += QStringLiteral("</p>");
    setHtml(html);
}

}  // namespace rf::ui
