// "Run on": where Train starts the run (issue 17 item 5; docs/scale-out.md). This computer (a
// Session in the app, the default) or MPI: `mpirun -np N [--hostfile F] reinforge-cli train`, with
// the process count and an optional hostfile (empty: every process on this computer). The app
// launches it (app/bridge_mpi_run.h) and the charts show rank 0's metrics. MPI is offered only when
// `mpirun` is on the PATH; otherwise the choice is disabled with the reason as its tooltip.
#pragma once
#include <QString>
#include <QWidget>

class QComboBox;
class QLineEdit;
class QSpinBox;
class QToolButton;

namespace rf::ui {

struct RunOnChoice {
    bool mpi = false;
    int processes = 2;
    QString hostfile;  // empty: this computer only
};

class RunOnBox : public QWidget {
    Q_OBJECT
public:
    explicit RunOnBox(QWidget* parent = nullptr);

    RunOnChoice choice() const;
    void setChoice(const RunOnChoice& choice);
    // Whether `mpirun` can be started (found on the PATH at construction; tests set it).
    void setMpiAvailable(bool available, const QString& why = {});
    bool mpiAvailable() const { return m_available; }

signals:
    void choiceChanged();

private:
    void updateShown();

    QComboBox* m_where = nullptr;
    QSpinBox* m_processes = nullptr;
    QLineEdit* m_hostfile = nullptr;
    QToolButton* m_browse = nullptr;
    QWidget* m_mpi_fields = nullptr;
    bool m_available = false;
};

}  // namespace rf::ui
