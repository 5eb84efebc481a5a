// The engine bridge with a fake run (fake_run.h): batched reports, pause/resume, stop within 1 s,
// failures, and the human judge answered through the real dialog (simulated key presses), including
// stopping while the dialog is open.
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <nlohmann/json.hpp>

#include "bridge_controller.h"
#include "bridge_qt_judge.h"
#include "fake_run.h"
#include "judge/judge_dialog.h"

using namespace rf;
using namespace rf::bridge;
using rf::test::FakeRunOptions;
using rf::test::FakeRunState;

namespace {

int totalRows(const QSignalSpy& spy) {
    int n = 0;
    for (const auto& args : spy) n += int(args[0].value<QList<ui::MetricsRow>>().size());
    return n;
}

int lastStep(const QSignalSpy& spy) {
    int s = 0;
    for (const auto& args : spy)
        for (const ui::MetricsRow& r : args[0].value<QList<ui::MetricsRow>>()) s = std::max(s, r.step);
    return s;
}

}  // namespace

class TestEngineController : public QObject {
    Q_OBJECT
private slots:
    void reportsArriveBatchedAndInOrder();
    void pauseResumeStop();
    void stopWithinOneSecond();
    void failureKeepsRunFolder();
    void humanPairwiseByKeys();
    void humanScalarByKeys();
    void stopWhileDialogOpen();
    void destructorStopsRun();
};

void TestEngineController::reportsArriveBatchedAndInOrder() {
    FakeRunOptions o;
    o.steps = 600;
    o.step_ms = 1;
    EngineController c(rf::test::fakeRun(o));
    QSignalSpy metrics(&c, &EngineController::metricsReady);
    QSignalSpy rollouts(&c, &EngineController::rolloutsReady);
    QSignalSpy started(&c, &EngineController::runStarted);
    QSignalSpy finished(&c, &EngineController::runFinished);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(c.start(RunConfig{}));
    QVERIFY(!c.start(RunConfig{}));  // one run at a time
    QVERIFY(finished.wait(20000));
    const double seconds = clock.elapsed() / 1000.0;
    QCOMPARE(finished[0][0].toBool(), true);   // completed
    QCOMPARE(finished[0][1].toBool(), false);  // not stopped
    QCOMPARE(started.count(), 1);
    QCOMPARE(started[0][0].toInt(), 600);
    QCOMPARE(started[0][1].toString(), QString("/tmp/reinforge-fake-run"));
    // 600 train rows + 60 validation rows, none lost, steps in order
    QCOMPARE(totalRows(metrics), 660);
    int prev = 0;
    for (const auto& args : metrics)
        for (const ui::MetricsRow& r : args[0].value<QList<ui::MetricsRow>>()) {
            QVERIFY(r.step >= prev);
            prev = r.step;
        }
    // <= 20 batches per second (plus the first and the final drain)
    qInfo("%d batches in %.2f s for 600 steps", c.batchesEmitted(), seconds);
    QVERIFY2(c.batchesEmitted() <= int(seconds * 20) + 2, qPrintable(QString::number(c.batchesEmitted())));
    QVERIFY(metrics.count() < 600 / 2);  // actually batched
    int n_rollouts = 0;
    for (const auto& args : rollouts) n_rollouts += int(args[0].value<QList<ui::RolloutRow>>().size());
    QCOMPARE(n_rollouts, 2400);
    QVERIFY(!c.isRunning());
}

void TestEngineController::pauseResumeStop() {
    FakeRunOptions o;
    o.steps = 100000;
    o.step_ms = 2;
    FakeRunState state;
    EngineController c(rf::test::fakeRun(o, &state));
    QSignalSpy metrics(&c, &EngineController::metricsReady);
    QSignalSpy finished(&c, &EngineController::runFinished);
    QVERIFY(c.start(RunConfig{}));
    QTRY_VERIFY_WITH_TIMEOUT(state.steps_done >= 20, 5000);
    c.setPaused(true);
    QVERIFY(c.isPaused());
    QTest::qWait(100);  // the step in progress ends
    const int paused_at = state.steps_done;
    QTest::qWait(300);
    QCOMPARE(state.steps_done.load(), paused_at);  // nothing runs while paused
    QTRY_COMPARE_WITH_TIMEOUT(lastStep(metrics), paused_at, 1000);  // and the GUI has all of it
    c.setPaused(false);
    QTRY_VERIFY_WITH_TIMEOUT(state.steps_done > paused_at + 10, 5000);
    QElapsedTimer clock;
    clock.start();
    c.stop();
    QVERIFY(finished.wait(1000));
    qInfo("stop after resume took %lld ms", clock.elapsed());
    QVERIFY(clock.elapsed() < 1000);
    QCOMPARE(finished[0][0].toBool(), false);
    QCOMPARE(finished[0][1].toBool(), true);
}

void TestEngineController::stopWithinOneSecond() {
    FakeRunOptions o;
    o.steps = 100000;
    o.step_ms = 50;
    FakeRunState state;
    EngineController c(rf::test::fakeRun(o, &state));
    QSignalSpy finished(&c, &EngineController::runFinished);
    QVERIFY(c.start(RunConfig{}));
    QTRY_VERIFY_WITH_TIMEOUT(state.steps_done >= 2, 5000);
    c.setPaused(true);  // stop also ends a pause
    QTest::qWait(60);
    QElapsedTimer clock;
    clock.start();
    c.stop();
    QVERIFY(finished.wait(1000));
    QVERIFY(state.returned);
    qInfo("stop while paused took %lld ms", clock.elapsed());
    QVERIFY(clock.elapsed() < 1000);
}

void TestEngineController::failureKeepsRunFolder() {
    FakeRunOptions o;
    o.steps = 10;
    o.fail_at = 4;
    EngineController c(rf::test::fakeRun(o));
    QSignalSpy failed(&c, &EngineController::runFailed);
    QSignalSpy finished(&c, &EngineController::runFinished);
    QSignalSpy metrics(&c, &EngineController::metricsReady);
    QVERIFY(c.start(RunConfig{}));
    QVERIFY(failed.wait(5000));
    QCOMPARE(finished.count(), 0);
    const QString message = failed[0][0].toString();
    QVERIFY2(message.contains("train.jsonl") && message.contains("missing field 'prompt'"), qPrintable(message));
    QCOMPARE(failed[0][1].toString(), QString("/tmp/reinforge-fake-run"));
    QCOMPARE(lastStep(metrics), 3);  // the steps before the failure were reported
    QVERIFY(!c.isRunning());
}

void TestEngineController::humanPairwiseByKeys() {
    QTemporaryDir dir;
    FakeRunOptions o;
    o.steps = 4;
    o.judge_every = 2;  // steps 2 and 4, two pairs each
    o.judgments = dir.filePath("judgments.jsonl").toStdString();
    FakeRunState state;
    EngineController c(rf::test::fakeRun(o, &state));
    QtJudge judge;
    c.setJudge(&judge);
    QStringList shown_first;
    int answered = 0;
    // answer each question with a key press on the dialog: 1, 2, T, S, ...
    const Qt::Key keys[] = {Qt::Key_1, Qt::Key_2, Qt::Key_T, Qt::Key_S};
    connect(&judge, &QtJudge::questionShown, this, [&](const ui::JudgeQuestion& q) {
        QVERIFY(q.pairwise);
        QCOMPARE(q.count, 2);
        QCOMPARE(q.index, answered % 2 + 1);
        QCOMPARE(q.step, answered < 2 ? 2 : 4);
        shown_first << q.first;
        QTimer::singleShot(10, judge.dialog(), [&, k = keys[answered % 4]] { QTest::keyClick(judge.dialog(), k); });
        ++answered;
    });
    QSignalSpy finished(&c, &EngineController::runFinished);
    QVERIFY(c.start(RunConfig{}));
    QVERIFY(finished.wait(10000));
    QCOMPARE(answered, 4);
    QCOMPARE(state.verdicts.load(), 4);
    QVERIFY(!judge.dialog()->isVisible());

    // judgments.jsonl holds every verdict, un-swapped: "1" pressed on a pair shown as (B, A) means A won
    QFile f(dir.filePath("judgments.jsonl"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    QCOMPARE(lines.size(), 5);  // 4 lines + trailing newline
    const char* expected_pressed[] = {"first", "second", "tie", "skip"};
    for (int i = 0; i < 4; ++i) {
        const auto j = nlohmann::json::parse(lines[i].toStdString());
        QCOMPARE(QString::fromStdString(j["judge"].get<std::string>()), QString("human"));
        const bool swapped = j["verdict"]["swapped"].get<bool>();
        const std::string shown = (swapped ? j["completions"][1] : j["completions"][0]).get<std::string>();
        QCOMPARE(QString::fromStdString(shown), shown_first[i]);
        std::string want = expected_pressed[i];
        if (want == "first") want = swapped ? "1" : "0";
        else if (want == "second") want = swapped ? "0" : "1";
        QCOMPARE(QString::fromStdString(j["verdict"]["winner"].get<std::string>()), QString::fromStdString(want));
    }
}

void TestEngineController::humanScalarByKeys() {
    QTemporaryDir dir;
    FakeRunOptions o;
    o.steps = 1;
    o.judge_every = 1;
    o.pairwise = false;
    o.pairs_per_step = 2;
    o.judgments = dir.filePath("judgments.jsonl").toStdString();
    EngineController c(rf::test::fakeRun(o));
    QtJudge judge;
    c.setJudge(&judge);
    int answered = 0;
    connect(&judge, &QtJudge::questionShown, this, [&](const ui::JudgeQuestion& q) {
        QVERIFY(!q.pairwise);
        QTimer::singleShot(10, judge.dialog(), [&, n = answered] {
            if (n == 0) {
                QTest::keyClick(judge.dialog(), Qt::Key_8);
                QTest::keyClick(judge.dialog(), Qt::Key_Return);
            } else {
                QTest::keyClick(judge.dialog(), Qt::Key_Escape);
            }
        });
        ++answered;
    });
    QSignalSpy finished(&c, &EngineController::runFinished);
    QVERIFY(c.start(RunConfig{}));
    QVERIFY(finished.wait(10000));
    QFile f(dir.filePath("judgments.jsonl"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    const auto first = nlohmann::json::parse(lines[0].toStdString());
    const auto second = nlohmann::json::parse(lines[1].toStdString());
    QCOMPARE(first["verdict"]["score"].get<double>(), 8.0);
    QCOMPARE(first["verdict"]["skipped"].get<bool>(), false);
    QCOMPARE(second["verdict"]["skipped"].get<bool>(), true);
}

void TestEngineController::stopWhileDialogOpen() {
    FakeRunOptions o;
    o.steps = 10;
    o.judge_every = 1;
    FakeRunState state;
    EngineController c(rf::test::fakeRun(o, &state));
    QtJudge judge;
    c.setJudge(&judge);
    QSignalSpy shown(&judge, &QtJudge::questionShown);
    QSignalSpy finished(&c, &EngineController::runFinished);
    QSignalSpy failed(&c, &EngineController::runFailed);
    QVERIFY(c.start(RunConfig{}));
    QVERIFY(shown.wait(5000));
    QVERIFY(judge.dialog()->isVisible());
    QTest::qWait(100);  // nobody answers
    QElapsedTimer clock;
    clock.start();
    c.stop();
    QVERIFY(finished.wait(1000));
    qInfo("stop with the dialog open took %lld ms", clock.elapsed());
    QVERIFY(clock.elapsed() < 1000);
    QCOMPARE(failed.count(), 0);               // JudgeCancelled is a normal stop
    QCOMPARE(finished[0][1].toBool(), true);   // stopped
    QTRY_VERIFY(!judge.dialog()->isVisible());  // the dialog closed itself
    QTest::keyClick(judge.dialog(), Qt::Key_1);  // a late answer goes nowhere
    QCOMPARE(state.verdicts.load(), 0);
}

void TestEngineController::destructorStopsRun() {
    FakeRunState state;
    {
        FakeRunOptions o;
        o.steps = 100000;
        o.step_ms = 5;
        QtJudge judge;
        EngineController c(rf::test::fakeRun(o, &state));
        c.setJudge(&judge);
        QVERIFY(c.start(RunConfig{}));
        QTRY_VERIFY_WITH_TIMEOUT(state.steps_done >= 1, 5000);
    }  // ~EngineController stops and joins
    QVERIFY(state.returned);
}

QTEST_MAIN(TestEngineController)
#include "tst_engine_controller.moc"
