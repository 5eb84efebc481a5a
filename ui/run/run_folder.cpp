#include "run/run_folder.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>
#include <stdexcept>

namespace rf::ui {

namespace {

// JSON null (a reward function that returned None, a non-finite value) reads as NaN.
double number(const QJsonValue& v) { return v.isDouble() ? v.toDouble() : std::nan(""); }

template <class Row, class Parse>
QList<Row> readLines(const QString& path, const QString& file, Parse parse, QStringList& problems) {
    QList<Row> rows;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (f.exists()) problems << QObject::tr("%1: %2").arg(file, f.errorString());
        return rows;
    }
    int line_no = 0;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        ++line_no;
        if (line.isEmpty()) continue;
        Row row;
        if (parse(line, &row)) rows.append(std::move(row));
        else problems << QObject::tr("%1 line %2 does not parse; skipped").arg(file).arg(line_no);
    }
    return rows;
}

}  // namespace

bool parseRolloutLine(const QByteArray& line, RolloutRow* row) {
    const QJsonDocument doc = QJsonDocument::fromJson(line);
    if (!doc.isObject()) return false;
    const QJsonObject o = doc.object();
    row->step = o.value("step").toInt();
    row->prompt = o.value("prompt").toString();
    row->completion = o.value("completion").toString();
    row->answer = o.value("answer").toString();
    row->reward = number(o.value("reward"));
    row->advantage = number(o.value("advantage"));
    row->truncated = o.value("truncated").toBool();
    row->num_tokens = o.value("num_tokens").toInt();
    row->group = o.value("group").toInt(-1);
    row->verdict = o.value("verdict").toString();
    const QJsonObject rewards = o.value("rewards").toObject();
    for (auto it = rewards.begin(); it != rewards.end(); ++it) row->function_rewards.insert(it.key(), number(it.value()));
    const QJsonArray tokens = o.value("tokens").toArray();
    const QJsonArray logps = o.value("token_logps").toArray();
    row->tokens.reserve(tokens.size());
    for (const QJsonValue& t : tokens) row->tokens.append(t.toString());
    row->token_logps.reserve(logps.size());
    for (const QJsonValue& v : logps) row->token_logps.append(float(number(v)));
    return true;
}

bool parseMetricsLine(const QByteArray& line, MetricsRow* row) {
    const QJsonDocument doc = QJsonDocument::fromJson(line);
    if (!doc.isObject()) return false;
    const QJsonObject o = doc.object();
    row->step = o.value("step").toInt();
    for (auto it = o.begin(); it != o.end(); ++it)
        if (it.key() != QLatin1String("step") && it.key() != QLatin1String("phase") && it.value().isDouble())
            row->values.insert(it.key(), it.value().toDouble());
    return true;
}

RunFolder readRunFolder(const QString& dir) {
    RunFolder run;
    const QDir d(dir);
    run.dir = d.absolutePath();
    run.name = QFileInfo(run.dir).fileName();
    const QString config = d.filePath("config.yaml"), metrics = d.filePath("metrics.jsonl"),
                  rollouts = d.filePath("rollouts.jsonl");
    if (!QFile::exists(config) && !QFile::exists(metrics) && !QFile::exists(rollouts))
        throw std::runtime_error(QObject::tr("%1 is no run folder: it has no config.yaml, metrics.jsonl or rollouts.jsonl")
                                     .arg(run.dir).toStdString());
    QFile f(config);
    if (f.open(QIODevice::ReadOnly)) {
        ParsedConfig parsed = parse_run_config(f.readAll().toStdString(), config.toStdString());
        run.config = parsed.config;
        run.has_config = true;
        // only a file that does not parse at all is a problem here: a run folder's paths may have
        // moved since, which validate() would report for every key
        for (const Issue& i : parsed.issues)
            if (i.severity == Severity::error && i.key.empty()) run.problems << QString::fromStdString(i.to_string("config.yaml"));
    } else {
        run.problems << QObject::tr("config.yaml is missing: the settings are not known");
    }
    run.metrics = readLines<MetricsRow>(metrics, "metrics.jsonl", parseMetricsLine, run.problems);
    run.rollouts = readLines<RolloutRow>(rollouts, "rollouts.jsonl", parseRolloutLine, run.problems);
    return run;
}

}  // namespace rf::ui
