#include "form/path_editor.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QMenu>
#include <QSignalBlocker>
#include <QToolButton>
#include <optional>

#include <QTimer>

#include "form/background.h"
#include "data/source_of.h"
#include "io/hf_cache.h"

namespace rf::ui {

namespace {

bool isModelKey(const std::string& k) { return k == "model" || k == "reference_model_path"; }

}  // namespace

PathEditor::PathEditor(const KeySpec& spec, QWidget* parent) : FieldEditor(spec, parent) {
    const std::string& k = spec.name;
    if (k == "data") m_kind = Kind::folder_or_file;
    else if (k.find("file") != std::string::npos) m_kind = Kind::file;
    else m_kind = Kind::folder;

    m_edit = new QLineEdit;
    m_edit->setObjectName("input_" + key());
    if (isModelKey(k)) m_edit->setPlaceholderText(tr("HF folder or id, e.g. Qwen/Qwen3-0.6B"));
    if (k == "data") m_edit->setPlaceholderText(tr("folder, .jsonl/.json/.parquet file, or an HF id, e.g. openai/gsm8k"));
    inputRow()->addWidget(m_edit, 1);
    connect(m_edit, &QLineEdit::textEdited, this, [this] {
        emitEdited();
        lookUpSoon();
    });
    if (isModelKey(k) || k == "data") {
        m_lookup_timer = new QTimer(this);
        m_lookup_timer->setSingleShot(true);
        m_lookup_timer->setInterval(400);
        connect(m_lookup_timer, &QTimer::timeout, this, &PathEditor::lookUp);
    }

    if (isModelKey(k) || k == "data") {
        m_local = new QToolButton;
        m_local->setObjectName("local_" + key());
        m_local->setText(tr("Local"));
        m_local->setToolTip(tr("Models and datasets found in the Hugging Face cache, LM Studio's folders and "
                               "Reinforge's bundled resources"));
        m_local->setPopupMode(QToolButton::InstantPopup);
        auto* menu = new QMenu(m_local);
        m_local->setMenu(menu);
        connect(menu, &QMenu::aboutToShow, this, &PathEditor::fillLocalMenu);
        inputRow()->addWidget(m_local);
    }
    auto* browse_button = new QToolButton;
    browse_button->setObjectName("browse_" + key());
    browse_button->setText(k == "reward_functions_file" ? tr("Import\u2026") : tr("Browse\u2026"));
    if (m_kind == Kind::folder_or_file) {
        browse_button->setPopupMode(QToolButton::InstantPopup);
        auto* menu = new QMenu(browse_button);
        menu->addAction(tr("Folder\u2026"), this, [this] { browse(false); });
        menu->addAction(tr("File (.jsonl, .json, .parquet)\u2026"), this, [this] { browse(true); });
        browse_button->setMenu(menu);
    } else {
        connect(browse_button, &QToolButton::clicked, this, [this] { browse(m_kind == Kind::file); });
    }
    inputRow()->addWidget(browse_button);
    if (k == "data") {
        auto* preview = new QToolButton;
        preview->setObjectName("preview_data");
        preview->setText(tr("Preview\u2026"));
        preview->setToolTip(tr("The dataset as the run will see it: configurations, splits, columns and the first rows"));
        connect(preview, &QToolButton::clicked, this, &PathEditor::previewRequested);
        inputRow()->addWidget(preview);
    }
}

QWidget* PathEditor::styledInput() const { return m_edit; }

void PathEditor::setValue(const QString& value) {
    if (m_edit->text() == value) return;
    QSignalBlocker block(m_edit);
    m_edit->setText(value);
    m_edit->setCursorPosition(0);
    lookUpSoon();
}

QString PathEditor::value() const { return m_edit->text(); }

void PathEditor::choose(const QString& path) {
    if (path.isEmpty()) return;
    setValue(path);
    emitEdited();
}

void PathEditor::lookUpSoon() {
    if (m_lookup_timer) m_lookup_timer->start();
}

void PathEditor::lookUp() {
    const int id = ++m_lookups;
    const std::string value = m_edit->text().trimmed().toStdString();
    if (value.empty()) {
        setNote({});
        return;
    }
    const bool dataset = spec().name == "data";
    runInBackground<std::string>(
        this, [value, dataset] { return dataset ? describe_dataset_source(value) : describe_model_source(value); },
        [this, id](const std::string& note, const QString& error) {
            if (id != m_lookups) return;  // the field changed since
            setNote(error.isEmpty() ? QString::fromStdString(note) : error);
        });
}

void PathEditor::browse(bool want_file) {
    const QString start = m_edit->text();
    if (!want_file) {
        choose(QFileDialog::getExistingDirectory(this, tr("Choose %1").arg(label()), start));
        return;
    }
    QString filter = tr("All files (*)");
    if (spec().name == "data") filter = tr("Datasets (*.jsonl *.json *.parquet);;All files (*)");
    if (spec().name == "reward_functions_file") filter = tr("Python files (*.py);;Text files (*.txt);;All files (*)");
    if (spec().name == "resume_adapter_file") filter = tr("Safetensors (*.safetensors);;All files (*)");
    choose(QFileDialog::getOpenFileName(this, tr("Choose %1").arg(label()), start, filter));
}

void PathEditor::fillLocalMenu() {
    QMenu* menu = m_local->menu();
    menu->clear();
    const QList<CatalogEntry> entries = spec().name == "data" ? localDatasets() : localModels();
    if (entries.isEmpty()) {
        menu->addAction(tr("Nothing found in the HF cache (%1) or LM Studio's folders")
                            .arg(QString::fromStdString(hf_hub_cache_dir())))
            ->setEnabled(false);
        return;
    }
    for (const CatalogEntry& e : entries) {
        QAction* a = menu->addAction(QString("%1   [%2]").arg(e.value, e.source));
        a->setData(e.value);
        connect(a, &QAction::triggered, this, [this, v = e.value] { choose(v); });
    }
}

}  // namespace rf::ui
