#include "run/download_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include "core/human_bytes.h"

namespace rf::ui {

DownloadDialog::DownloadDialog(QWidget* parent) : QDialog(parent) {
    setObjectName("download_dialog");
    setWindowTitle(tr("Downloading from the Hugging Face Hub"));
    setModal(false);
    auto* layout = new QVBoxLayout(this);
    m_file = new QLabel;
    m_file->setObjectName("download_file");
    m_file->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status = new QLabel;
    m_status->setObjectName("download_status");
    m_bar = new QProgressBar;
    m_bar->setRange(0, 1000);
    auto* note = new QLabel(tr("Files go into the Hugging Face cache, shared with other tools. A cancelled "
                               "download resumes where it stopped."));
    note->setWordWrap(true);
    note->setStyleSheet("color: palette(mid);");
    auto* buttons = new QDialogButtonBox;
    m_cancel = buttons->addButton(QDialogButtonBox::Cancel);
    m_cancel->setObjectName("download_cancel");
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        m_cancel->setEnabled(false);
        m_status->setText(tr("Cancelling\u2026"));
        emit cancelRequested();
    });
    layout->addWidget(m_file);
    layout->addWidget(m_bar);
    layout->addWidget(m_status);
    layout->addWidget(note);
    layout->addWidget(buttons);
    setMinimumWidth(460);
}

void DownloadDialog::setProgress(const DownloadProgress& p) {
    if (!isVisible()) m_cancel->setEnabled(true);  // a new download
    m_file->setText(p.file.isEmpty() ? tr("Asking the Hub for the file list\u2026") : p.file);
    if (p.all_total > 0) {
        m_bar->setRange(0, 1000);
        m_bar->setValue(int(1000.0 * double(p.all_done) / double(p.all_total)));
    } else {
        m_bar->setRange(0, 0);  // busy
    }
    if (m_cancel->isEnabled())
        m_status->setText(tr("File %1 of %2 \u2014 %3 of %4")
                              .arg(std::min(p.files_done + 1, std::max(1, p.files_total)))
                              .arg(p.files_total)
                              .arg(QString::fromStdString(human_bytes(p.all_done)), QString::fromStdString(human_bytes(p.all_total))));
    if (!isVisible()) show();
}

QString DownloadDialog::text() const { return m_file->text() + "\n" + m_status->text(); }

}  // namespace rf::ui
