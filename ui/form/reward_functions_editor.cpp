#include "form/reward_functions_editor.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include "rewards/reward_set.h"

namespace rf::ui {

namespace {

// The seed app's titles for the registry names (reference §1.2).
QString titleFor(const std::string& fn) {
    static const std::map<std::string, const char*> titles = {
        {"r1_accuracy_reward_func", "Accuracy"},          {"r1_int_reward_func", "Integer Answer"},
        {"r1_strict_format_reward_func", "Strict Format"}, {"r1_soft_format_reward_func", "Soft Format"},
        {"r1_count_xml", "XML Count"}};
    auto it = titles.find(fn);
    return it == titles.end() ? QString::fromStdString(fn) : QObject::tr(it->second);
}

QStringList splitNames(const QString& value) {
    QString v = value.trimmed();
    if (v.startsWith('[') && v.endsWith(']')) v = v.mid(1, v.size() - 2);
    QStringList out;
    for (QString s : v.split(',', Qt::SkipEmptyParts)) {
        s = s.trimmed();
        if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front()) s = s.mid(1, s.size() - 2);
        if (!s.isEmpty()) out << s;
    }
    return out;
}

}  // namespace

RewardFunctionsEditor::RewardFunctionsEditor(const KeySpec& spec, QWidget* parent) : FieldEditor(spec, parent) {
    auto* box = new QWidget;
    auto* column = new QVBoxLayout(box);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    auto* grid = new QGridLayout;
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(2);
    int i = 0;
    for (const std::string& fn : kDefaultRewardFunctions) {
        auto* check = new QCheckBox(titleFor(fn));
        check->setObjectName(QString("reward_%1").arg(QString::fromStdString(fn)));
        check->setToolTip(QString::fromStdString(fn));
        connect(check, &QCheckBox::toggled, this, [this] { emitEdited(); });
        grid->addWidget(check, i / 2, i % 2);
        m_defaults.append(check);
        ++i;
    }
    auto* all = new QPushButton(tr("Use All Defaults"));
    all->setObjectName("useAllDefaultsButton");
    all->setToolTip(tr("Select the five default reward functions (reward_functions follows its default)"));
    connect(all, &QPushButton::clicked, this, [this] { emit useAllDefaults(key()); });
    grid->addWidget(all, i / 2, i % 2);
    column->addLayout(grid);
    m_human = new QCheckBox(tr("You, as one of the rewards (0–10 per completion)"));
    m_human->setObjectName("reward_human");
    m_human->setToolTip(QString::fromUtf8(kHumanRewardName));
    m_human->setWhatsThis(tr("The judging dialog asks you to score the completions of a share of the groups "
                             "(human_fraction); your score / 10 is one more weighted reward. Unanswered within "
                             "human_wait_seconds, the other functions decide."));
    connect(m_human, &QCheckBox::toggled, this, [this] { emitEdited(); });
    column->addWidget(m_human);
    m_custom = new QLineEdit;
    m_custom->setObjectName("input_reward_functions_custom");
    m_custom->setPlaceholderText(tr("Custom names (comma-separated), e.g. from the reward functions file"));
    connect(m_custom, &QLineEdit::textEdited, this, [this] { emitEdited(); });
    column->addWidget(m_custom);
    inputRow()->addWidget(box, 1);
}

QWidget* RewardFunctionsEditor::styledInput() const { return m_custom; }

void RewardFunctionsEditor::setValue(const QString& value) {
    QStringList names = splitNames(value);
    const bool all = names.isEmpty();  // empty = the five defaults
    for (size_t i = 0; i < kDefaultRewardFunctions.size(); ++i) {
        const QString fn = QString::fromStdString(kDefaultRewardFunctions[i]);
        QSignalBlocker block(m_defaults[int(i)]);
        m_defaults[int(i)]->setChecked(all || names.contains(fn));
        names.removeAll(fn);
    }
    {
        QSignalBlocker block(m_human);
        m_human->setChecked(names.removeAll(QString::fromUtf8(kHumanRewardName)) > 0);
    }
    const QString custom = names.join(", ");
    if (m_custom->text() != custom) {
        QSignalBlocker block(m_custom);
        m_custom->setText(custom);
    }
}

QString RewardFunctionsEditor::value() const {
    QStringList names;
    for (size_t i = 0; i < kDefaultRewardFunctions.size(); ++i)
        if (m_defaults[int(i)]->isChecked()) names << QString::fromStdString(kDefaultRewardFunctions[i]);
    if (m_human->isChecked()) names << QString::fromUtf8(kHumanRewardName);
    names << splitNames(m_custom->text());
    return names.join(", ");
}

}  // namespace rf::ui
