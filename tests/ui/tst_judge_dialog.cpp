// The human judging dialog, answered by simulated key presses and clicks.
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QtTest>

#include "judge/judge_dialog.h"

using namespace rf::ui;
using Verdict = JudgeAnswer::Verdict;

class TestJudgeDialog : public QObject {
    Q_OBJECT
private slots:
    void pairwiseKeys_data();
    void pairwiseKeys();
    void pairwiseShowsBothAndProgress();
    void buttonsAnswer();
    void scalarKeysAndEnter();
    void scalarEscapeSkips();
    void answersOncePerQuestion();
    void cancelClosesWithoutAnswer();
    void keysWorkWithFocusInPane();

private:
    static JudgeQuestion pair() {
        JudgeQuestion q;
        q.pairwise = true;
        q.prompt = "What is 2+2?";
        q.first = "It is 4.";
        q.second = "It is 5.";
        q.index = 2;
        q.count = 3;
        q.step = 7;
        return q;
    }
};

void TestJudgeDialog::pairwiseKeys_data() {
    QTest::addColumn<int>("key");
    QTest::addColumn<int>("verdict");
    QTest::newRow("1 first") << int(Qt::Key_1) << int(Verdict::first);
    QTest::newRow("2 second") << int(Qt::Key_2) << int(Verdict::second);
    QTest::newRow("T tie") << int(Qt::Key_T) << int(Verdict::tie);
    QTest::newRow("S skip") << int(Qt::Key_S) << int(Verdict::skip);
    QTest::newRow("Esc skip") << int(Qt::Key_Escape) << int(Verdict::skip);
}

void TestJudgeDialog::pairwiseKeys() {
    QFETCH(int, key);
    QFETCH(int, verdict);
    JudgeDialog d;
    QSignalSpy spy(&d, &JudgeDialog::answered);
    d.ask(pair());
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    QTest::keyClick(&d, Qt::Key(key));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(int(spy[0][0].value<JudgeAnswer>().verdict), verdict);
    QVERIFY(!d.isVisible());
    QVERIFY(!d.waiting());
}

void TestJudgeDialog::pairwiseShowsBothAndProgress() {
    JudgeDialog d;
    d.ask(pair());
    QCOMPARE(d.findChild<QPlainTextEdit*>("judgePrompt")->toPlainText(), QString("What is 2+2?"));
    QCOMPARE(d.findChild<QPlainTextEdit*>("judgeFirst")->toPlainText(), QString("It is 4."));
    QCOMPARE(d.findChild<QPlainTextEdit*>("judgeSecond")->toPlainText(), QString("It is 5."));
    QVERIFY(d.findChild<QPlainTextEdit*>("judgeFirst")->isReadOnly());
    const QString progress = d.findChild<QLabel*>("judgeProgress")->text();
    QVERIFY2(progress.contains("Verdict 2 of 3") && progress.contains("step 7"), qPrintable(progress));
    QVERIFY(d.findChild<QPushButton*>("judgeFirstButton")->isVisible());
    QVERIFY(!d.findChild<QSlider*>("judgeScore")->isVisible());
}

void TestJudgeDialog::buttonsAnswer() {
    JudgeDialog d;
    QSignalSpy spy(&d, &JudgeDialog::answered);
    d.ask(pair());
    QTest::mouseClick(d.findChild<QPushButton*>("judgeSecondButton"), Qt::LeftButton);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy[0][0].value<JudgeAnswer>().verdict, Verdict::second);
    d.ask(pair());
    QTest::mouseClick(d.findChild<QPushButton*>("judgeTieButton"), Qt::LeftButton);
    QCOMPARE(spy[1][0].value<JudgeAnswer>().verdict, Verdict::tie);
}

void TestJudgeDialog::scalarKeysAndEnter() {
    JudgeDialog d;
    QSignalSpy spy(&d, &JudgeDialog::answered);
    JudgeQuestion q;
    q.pairwise = false;
    q.prompt = "Write a haiku";
    q.first = "An old silent pond";
    d.ask(q);
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    QVERIFY(!d.findChild<QPushButton*>("judgeFirstButton")->isVisible());
    QCOMPARE(d.findChild<QPlainTextEdit*>("judgeSingle")->toPlainText(), QString("An old silent pond"));
    QTest::keyClick(&d, Qt::Key_7);
    QCOMPARE(d.findChild<QSlider*>("judgeScore")->value(), 7);
    QCOMPARE(d.findChild<QLabel*>("judgeScoreLabel")->text(), QString("7 / 10"));
    QTest::keyClick(&d, Qt::Key_2);  // in scalar mode, 2 is a score, not "second"
    QTest::keyClick(&d, Qt::Key_Return);
    QCOMPARE(spy.count(), 1);
    const JudgeAnswer a = spy[0][0].value<JudgeAnswer>();
    QCOMPARE(a.verdict, Verdict::score);
    QCOMPARE(a.score, 2);
    // End = 10 (slider focus)
    d.ask(q);
    d.findChild<QSlider*>("judgeScore")->setFocus();
    QTest::keyClick(d.findChild<QSlider*>("judgeScore"), Qt::Key_End);
    QTest::keyClick(&d, Qt::Key_Enter);
    QCOMPARE(spy[1][0].value<JudgeAnswer>().score, 10);
}

void TestJudgeDialog::scalarEscapeSkips() {
    JudgeDialog d;
    QSignalSpy spy(&d, &JudgeDialog::answered);
    JudgeQuestion q;
    q.pairwise = false;
    d.ask(q);
    QTest::keyClick(&d, Qt::Key_Escape);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy[0][0].value<JudgeAnswer>().verdict, Verdict::skip);
}

void TestJudgeDialog::answersOncePerQuestion() {
    JudgeDialog d;
    QSignalSpy spy(&d, &JudgeDialog::answered);
    d.ask(pair());
    QTest::keyClick(&d, Qt::Key_1);
    QTest::keyClick(&d, Qt::Key_2);  // no question pending: ignored
    d.close();
    QCOMPARE(spy.count(), 1);
}

void TestJudgeDialog::cancelClosesWithoutAnswer() {
    JudgeDialog d;
    QSignalSpy spy(&d, &JudgeDialog::answered);
    d.ask(pair());
    QVERIFY(d.isVisible());
    d.cancel();
    QVERIFY(!d.isVisible());
    QTest::keyClick(&d, Qt::Key_1);
    QCOMPARE(spy.count(), 0);
}

void TestJudgeDialog::keysWorkWithFocusInPane() {
    JudgeDialog d;
    QSignalSpy spy(&d, &JudgeDialog::answered);
    d.ask(pair());
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    auto* pane = d.findChild<QPlainTextEdit*>("judgeSecond");
    pane->setFocus();
    QTest::keyClick(pane, Qt::Key_2);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy[0][0].value<JudgeAnswer>().verdict, Verdict::second);
    QCOMPARE(pane->toPlainText(), QString("It is 5."));  // read-only: the key did not type
}

QTEST_MAIN(TestJudgeDialog)
#include "tst_judge_dialog.moc"
