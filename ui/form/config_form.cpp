#include "form/config_form.h"

#include <QLabel>
#include <QScrollArea>
#include <algorithm>
#include <QScrollBar>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/error.h"
#include "form/algorithm_picker.h"
#include "form/block_box.h"
#include "form/dataset_preview_dialog.h"
#include "form/field_editor.h"
#include "form/path_editor.h"
#include "form/reward_functions_editor.h"
#include "qt_text.h"

namespace rf::ui {

namespace {

// Blocks in screen order, and the modes the seed app shows each in (reference §1.2).
struct BlockPlace {
    KeyGroup group;
    ModeSet shown_in;
};
constexpr BlockPlace kBlocks[] = {
    {KeyGroup::model_and_data, kAllModes},
    {KeyGroup::fine_tune, kAllModes},
    {KeyGroup::online_preference, mode_bit(TrainMode::rlhf_reinforce) | mode_bit(TrainMode::rloo) | mode_bit(TrainMode::ppo)},
    {KeyGroup::preference_and_judge, mode_bit(TrainMode::grpo)},
    {KeyGroup::grpo_generation_and_rewards, mode_bit(TrainMode::grpo)},
    {KeyGroup::training_settings, kAllModes},
    {KeyGroup::dataset_columns, kAllModes},
    {KeyGroup::output, kAllModes},
};

// Where the seed app shows a key outside its own block (reference §1.2 "Online Preference"): the
// online modes edit the shared sampling keys there, and REINFORCE's judge rubric is not on its form.
struct PlaceOverride {
    const char* key;
    ModeSet modes;
    KeyGroup shown_in;
};
constexpr ModeSet kOnline = mode_bit(TrainMode::rlhf_reinforce) | mode_bit(TrainMode::rloo) | mode_bit(TrainMode::ppo);
constexpr ModeSet kReinforce = mode_bit(TrainMode::rlhf_reinforce) | mode_bit(TrainMode::rloo);
constexpr PlaceOverride kOverrides[] = {
    {"max_completion_length", kOnline, KeyGroup::online_preference},
    {"temperature", mode_bit(TrainMode::ppo), KeyGroup::online_preference},
    {"epsilon", mode_bit(TrainMode::ppo), KeyGroup::online_preference},
    {"group_size", kReinforce, KeyGroup::online_preference},
    {"judge_system", kReinforce, KeyGroup::advanced},
};

bool blockShown(KeyGroup g, TrainMode mode) {
    for (const BlockPlace& b : kBlocks)
        if (b.group == g) return (b.shown_in & mode_bit(mode)) != 0;
    return false;  // KeyGroup::advanced
}

QString inputErrorText(const InputError& e) {
    QString s = qs(e.message.empty() ? std::string(e.what()) : e.message);
    if (!e.hint.empty()) s += QString(" (%1)").arg(qs(e.hint));
    return s;
}

}  // namespace

ConfigForm::ConfigForm(QWidget* parent) : QWidget(parent) {
    setObjectName("configForm");
    m_config = default_run_config(TrainMode::grpo);
    m_holder = new QWidget(this);
    m_holder->hide();

    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_scroll = new QScrollArea;
    m_scroll->setObjectName("formScroll");
    m_scroll->setWidgetResizable(true);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_scroll_content = new QWidget;
    auto* column = new QVBoxLayout(m_scroll_content);
    column->setContentsMargins(6, 6, 6, 6);
    column->setSpacing(8);

    for (const KeySpec& spec : run_config_keys()) {
        if (spec.name == "schema_version") continue;  // written by export, never edited
        FieldEditor* f = spec.name == "train_mode" ? new AlgorithmPicker(spec) : makeFieldEditor(spec);
        const QString key = f->key();
        m_fields.insert(key, f);
        m_order.append(key);
        connect(f, &FieldEditor::edited, this, &ConfigForm::onEdited);
        if (auto* rewards = qobject_cast<RewardFunctionsEditor*>(f))
            connect(rewards, &RewardFunctionsEditor::useAllDefaults, this, &ConfigForm::onReset);
        if (auto* path = qobject_cast<PathEditor*>(f); path && spec.name == "data")
            connect(path, &PathEditor::previewRequested, this, &ConfigForm::openDatasetPreview);
        if (spec.name == "train_mode") m_picker = f;
        else f->setParent(m_holder);
    }
    RF_CHECK(m_picker != nullptr, "the key table has no train_mode");
    column->addWidget(m_picker);

    m_summary = new QLabel;
    m_summary->setObjectName("formSummary");
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    column->addWidget(m_summary);

    for (const BlockPlace& b : kBlocks) {
        auto* box = new BlockBox(qs(group_title(b.group)).replace('&', "&&"));  // no mnemonic
        box->setObjectName("block_" + qs(group_title(b.group)).toLower().replace(' ', '_').replace('&', "and"));
        m_blocks.insert(int(b.group), box);
        column->addWidget(box);
    }
    m_advanced_toggle = new QToolButton;
    m_advanced_toggle->setObjectName("advancedToggle");
    m_advanced_toggle->setCheckable(true);
    m_advanced_toggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_advanced_toggle->setArrowType(Qt::RightArrow);
    m_advanced_toggle->setAutoRaise(true);
    m_advanced_toggle->setToolTip(tr("Keys the seed app hides (beta, reference model, judge rubric, baseline, "
                                     "num_iterations, …). Every key of the YAML file stays reachable here."));
    column->addWidget(m_advanced_toggle);
    m_advanced = new BlockBox(tr("Advanced"));
    m_advanced->setObjectName("block_advanced");
    auto* advanced_holder = new QWidget;
    advanced_holder->setObjectName("advancedHolder");
    auto* advanced_layout = new QVBoxLayout(advanced_holder);
    advanced_layout->setContentsMargins(0, 0, 0, 0);
    advanced_layout->addWidget(m_advanced);
    advanced_holder->hide();
    column->addWidget(advanced_holder);
    column->addStretch(1);
    connect(m_advanced_toggle, &QToolButton::toggled, this, [this, advanced_holder](bool on) {
        m_advanced_toggle->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
        advanced_holder->setVisible(on);
    });

    m_scroll->setWidget(m_scroll_content);
    outer->addWidget(m_scroll);
    refresh();
}

void ConfigForm::setConfig(const RunConfig& config) {
    m_config = config;
    m_parse_errors.clear();
    refresh();
    emit configChanged();
    emit trainModeChanged(qs(enum_name(m_config.train_mode)));
}

void ConfigForm::openDatasetPreview() {
    auto* dialog = new DatasetPreviewDialog(m_config, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &DatasetPreviewDialog::settingsChosen, this, [this](const QMap<QString, QString>& values) {
        for (auto it = values.begin(); it != values.end(); ++it)
            if (qs(get_value(m_config, it.key().toStdString())) != it.value()) onEdited(it.key(), it.value());
    });
    dialog->show();
}

void ConfigForm::onEdited(const QString& key, const QString& value) {
    const TrainMode before = m_config.train_mode;
    try {
        set_value(m_config, key.toStdString(), value.toStdString());
        m_parse_errors.remove(key);
    } catch (const InputError& e) {
        m_parse_errors.insert(key, inputErrorText(e));
    }
    refresh(key);
    emit configChanged();
    if (m_config.train_mode != before) emit trainModeChanged(qs(enum_name(m_config.train_mode)));
}

void ConfigForm::onReset(const QString& key) {
    unset_value(m_config, key.toStdString());
    m_parse_errors.remove(key);
    refresh();
    emit configChanged();
}

void ConfigForm::refresh(const QString& source_key) {
    for (const QString& key : std::as_const(m_order)) {
        FieldEditor* f = m_fields.value(key);
        const std::string k = key.toStdString();
        // the field being typed in keeps its text (no reformatting under the cursor), and so does a
        // field whose text does not parse (the config still holds the last good value)
        if (key != source_key && !m_parse_errors.contains(key)) f->setValue(qs(get_value(m_config, k)));
        f->setDefaultText(qs(default_value(m_config, k)));
    }
    place();
    m_issues = validate(m_config);
    markIssues();
}

void ConfigForm::place() {
    QHash<int, QList<FieldEditor*>> per_block;
    QList<FieldEditor*> advanced;
    for (const QString& key : std::as_const(m_order)) {
        FieldEditor* f = m_fields.value(key);
        if (f == m_picker) continue;
        const KeySpec& spec = f->spec();
        if (!key_in_use(m_config, spec) && !m_parse_errors.contains(key)) continue;
        KeyGroup group = spec.group;
        for (const PlaceOverride& o : kOverrides)
            if (spec.name == o.key && (o.modes & mode_bit(m_config.train_mode))) group = o.shown_in;
        if (group == KeyGroup::advanced || !blockShown(group, m_config.train_mode)) advanced.append(f);
        else per_block[int(group)].append(f);
    }
    for (const BlockPlace& b : kBlocks) m_blocks.value(int(b.group))->setFields(per_block.value(int(b.group)));
    m_advanced->setFields(advanced);
    m_advanced_toggle->setText(tr("Advanced (%1 keys)").arg(advanced.size()));
    updateGeometry();  // the fields shown decide minimumSizeHint()
    for (FieldEditor* f : std::as_const(m_fields)) {
        if (f == m_picker) continue;
        if (blockOf(f->key()).isEmpty() && f->parentWidget() != m_holder) f->setParent(m_holder);
    }
}

QSize ConfigForm::minimumSizeHint() const {
    const QSize base = QWidget::minimumSizeHint();
    const int content = m_scroll_content->minimumSizeHint().width() + m_scroll->verticalScrollBar()->sizeHint().width() +
                        2 * m_scroll->frameWidth();
    return {std::max({base.width(), content, 420}), base.height()};
}

QString ConfigForm::blockOf(const QString& key) const {
    FieldEditor* f = m_fields.value(key);
    if (!f) return {};
    if (f == m_picker) return tr("Algorithm");
    if (m_advanced->fields().contains(f)) return tr("Advanced");
    for (BlockBox* b : m_blocks)
        if (b->fields().contains(f)) return b->title().replace("&&", "&");
    return {};
}

bool ConfigForm::isShown(const QString& key) const { return !blockOf(key).isEmpty(); }

void ConfigForm::markIssues() {
    struct Mark {
        QString text;
        bool error = false;
    };
    QHash<QString, Mark> marks;
    for (const Issue& issue : m_issues) {
        const QString key = qs(issue.key);
        if (!m_fields.contains(key)) continue;
        const bool error = issue.severity == Severity::error;
        auto it = marks.find(key);
        if (it != marks.end() && (it->error || !error)) continue;  // an error beats a warning
        QString text = qs(issue.message);
        if (!issue.hint.empty()) text += QString(" (%1)").arg(qs(issue.hint));
        marks.insert(key, {text, error});
    }
    for (auto it = m_parse_errors.constBegin(); it != m_parse_errors.constEnd(); ++it) marks.insert(it.key(), {it.value(), true});
    for (FieldEditor* f : std::as_const(m_fields)) {
        const Mark m = marks.value(f->key());
        f->setIssue(m.text, m.error);
    }
    const QStringList errs = errors(), warns = warnings();
    QStringList lines;
    if (!errs.isEmpty()) lines << tr("<b style='color:#b00020'>%n error(s) — Train is refused until they are fixed:</b>", "", int(errs.size()));
    for (const QString& e : errs) lines << "&nbsp;&bull; " + e.toHtmlEscaped();
    if (!warns.isEmpty()) lines << tr("<span style='color:#8a5a00'>%n warning(s):</span>", "", int(warns.size()));
    for (const QString& w : warns) lines << "&nbsp;&bull; " + w.toHtmlEscaped();
    m_summary->setText(lines.join("<br>"));
    m_summary->setVisible(!lines.isEmpty());
}

QStringList ConfigForm::errors() const {
    QStringList out;
    for (const QString& key : m_order)
        if (m_parse_errors.contains(key)) out << QString("%1: %2").arg(key, m_parse_errors.value(key));
    for (const Issue& issue : m_issues)
        if (issue.severity == Severity::error) out << qs(issue.message);
    return out;
}

QStringList ConfigForm::warnings() const {
    QStringList out;
    for (const Issue& issue : m_issues)
        if (issue.severity == Severity::warning) out << qs(issue.message);
    return out;
}

void ConfigForm::setEditable(bool editable) {
    m_picker->setEnabled(editable);
    for (BlockBox* b : std::as_const(m_blocks)) b->setEnabled(editable);
    m_advanced->setEnabled(editable);
}

void ConfigForm::setAdvancedExpanded(bool expanded) { m_advanced_toggle->setChecked(expanded); }

void ConfigForm::focusField(const QString& key) {
    FieldEditor* f = m_fields.value(key);
    if (!f || !isShown(key)) return;
    if (blockOf(key) == tr("Advanced")) setAdvancedExpanded(true);
    m_scroll->ensureWidgetVisible(f);
    f->setFocus();
}

}  // namespace rf::ui
