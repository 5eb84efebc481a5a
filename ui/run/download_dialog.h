// The progress of a model or dataset download before a run starts (a run whose model or dataset
// is a Hub id not yet in the cache): the file in progress, files done of all, bytes done of all,
// and Cancel. Cancel asks the run to stop; the partial file stays and the next Train resumes it.
// Not modal: the window keeps working (the download runs on the engine thread).
#pragma once
#include <QDialog>

#include "run_types.h"

class QLabel;
class QProgressBar;
class QPushButton;

namespace rf::ui {

class DownloadDialog : public QDialog {
    Q_OBJECT
public:
    explicit DownloadDialog(QWidget* parent = nullptr);
    void setProgress(const DownloadProgress& progress);  // shows the dialog on the first call
    QString text() const;                                // the status line, for tests

signals:
    void cancelRequested();

private:
    QLabel* m_file = nullptr;
    QLabel* m_status = nullptr;
    QProgressBar* m_bar = nullptr;
    QPushButton* m_cancel = nullptr;
};


}  // namespace rf::ui
