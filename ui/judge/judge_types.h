// One question to a human judge and its answer (Qt side of the engine's human-judge interface;
// app/bridge_qt_judge converts to and from the engine's types).
#pragma once
#include <QMetaType>
#include <QString>

namespace rf::ui {

struct JudgeQuestion {
    bool pairwise = true;  // PPO: which of two completions is better; REINFORCE/RLOO: a 0-10 score
    QString prompt;
    QString first;   // completion shown as "1" (the engine has already randomised the order)
    QString second;  // pairwise only
    int index = 1;   // this is verdict `index` of `count` in step `step`
    int count = 1;
    int step = 0;
};

struct JudgeAnswer {
    enum class Verdict { first, second, tie, skip, score };
    Verdict verdict = Verdict::skip;
    int score = 0;  // 0..10 when verdict == score
};

}  // namespace rf::ui

Q_DECLARE_METATYPE(rf::ui::JudgeQuestion)
Q_DECLARE_METATYPE(rf::ui::JudgeAnswer)
