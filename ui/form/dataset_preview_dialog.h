// Preview… of the dataset field: the dataset as the run in the form will see it
// (data/dataset_preview.h) — configurations, splits, columns with their types, the first rows after
// column mapping and answer_pattern — with the choices that change it: the configuration, the
// prompt and answer columns and the answer pattern. "Use these settings" writes them into the form.
// Loading runs off the GUI thread (a Hub dataset not yet cached is downloaded first, with progress
// and Cancel); the dialog stays responsive.
#pragma once
#include <QDialog>
#include <QMap>
#include <atomic>
#include <memory>

#include "config/run_config.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace rf::ui {

class DatasetPreviewDialog : public QDialog {
    Q_OBJECT
public:
    DatasetPreviewDialog(const RunConfig& config, QWidget* parent = nullptr);
    ~DatasetPreviewDialog() override;

    QString previewText() const;  // what the preview pane shows
    QString status() const;
    bool loading() const { return m_loading; }

signals:
    void settingsChosen(const QMap<QString, QString>& values);  // key -> value, for the form
    void loaded();  // a preview (or its error) is shown

private:
    void reload();
    void fillChoices(const QStringList& configs, const QString& config, const QStringList& columns);
    RunConfig current() const;

    RunConfig m_config;
    QComboBox* m_dataset_config = nullptr;
    QComboBox* m_prompt = nullptr;
    QComboBox* m_answer = nullptr;
    QLineEdit* m_pattern = nullptr;
    QLabel* m_status = nullptr;
    QPlainTextEdit* m_text = nullptr;
    QPushButton* m_cancel = nullptr;
    QPushButton* m_use = nullptr;
    bool m_loading = false;
    int m_loads = 0;
    std::shared_ptr<std::atomic<bool>> m_cancelled;
};

}  // namespace rf::ui
