// The left side of the Train tab: a view of one RunConfig, built from the engine's key table.
//
// Every key of run_config_keys() gets one FieldEditor (field_editor.h). Edits go through
// rf::set_value(), so the engine parses, resolves the per-mode defaults and is the only holder of
// defaults; after each edit every field is refreshed from the config and marked with validate()'s
// issues for its key. Placement follows the seed app:
//   - the algorithm picker on top, then Model & Data, Fine-tune, the per-algorithm blocks, Training
//     Settings, Dataset Columns, Output;
//   - Online Preference for REINFORCE/RLOO/PPO, Preference And Judge and GRPO Generation And Rewards
//     for GRPO; a key whose block is hidden in this mode but which the run reads goes to Advanced;
//   - a field is shown only while the run reads it (rf::key_in_use: LoRA rows for LoRA/DoRA, warmup
//     for a schedule, …).
#pragma once
#include <QHash>
#include <QWidget>

#include "config/run_config.h"

class QLabel;
class QScrollArea;
class QToolButton;
class QVBoxLayout;

namespace rf::ui {

class BlockBox;
class FieldEditor;

class ConfigForm : public QWidget {
    Q_OBJECT
public:
    explicit ConfigForm(QWidget* parent = nullptr);

    const RunConfig& config() const { return m_config; }
    // Shows `config` in every field (YAML import, restore at start). Pending typing errors are dropped.
    void setConfig(const RunConfig& config);
    // Errors that refuse Train: validate()'s errors plus values that do not parse; "" when none.
    QStringList errors() const;
    QStringList warnings() const;

    FieldEditor* field(const QString& key) const { return m_fields.value(key, nullptr); }
    bool isShown(const QString& key) const;        // placed in a visible block (Advanced counts)
    QString blockOf(const QString& key) const;     // block title, "Advanced", or "" when hidden
    BlockBox* block(KeyGroup group) const { return m_blocks.value(int(group), nullptr); }
    BlockBox* advancedBlock() const { return m_advanced; }
    void setAdvancedExpanded(bool expanded);
    void focusField(const QString& key);           // scrolls to it (first invalid field on Train)
    void setEditable(bool editable);               // read-only while a run goes (still scrollable)
    void openDatasetPreview();                     // the dataset field's Preview… (dataset_preview_dialog.h)
    // At least the width of the blocks' content (the scroll area scrolls vertically only, so a
    // narrower form would cut its buttons off): a splitter beside it never squeezes it below that.
    QSize minimumSizeHint() const override;

signals:
    void configChanged();
    void trainModeChanged(const QString& mode);

private:
    void onEdited(const QString& key, const QString& value);
    void onReset(const QString& key);
    void refresh(const QString& source_key = {});
    void place();
    void markIssues();

    RunConfig m_config;
    QHash<QString, FieldEditor*> m_fields;
    QStringList m_order;                     // table order
    QHash<QString, QString> m_parse_errors;  // key -> message for text that does not parse
    std::vector<Issue> m_issues;
    QHash<int, BlockBox*> m_blocks;          // by KeyGroup
    BlockBox* m_advanced = nullptr;
    QToolButton* m_advanced_toggle = nullptr;
    QLabel* m_summary = nullptr;
    FieldEditor* m_picker = nullptr;
    QWidget* m_holder = nullptr;             // parent of fields not shown
    QWidget* m_scroll_content = nullptr;
    QScrollArea* m_scroll = nullptr;
};

}  // namespace rf::ui
