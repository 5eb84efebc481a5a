#include "run/run_on_box.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QStandardPaths>
#include <QToolButton>

namespace rf::ui {

RunOnBox::RunOnBox(QWidget* parent) : QWidget(parent) {
    setObjectName("runOnBox");
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(6, 2, 6, 2);
    row->addWidget(new QLabel(tr("Run on:")));
    m_where = new QComboBox;
    m_where->setObjectName("runOnWhere");
    m_where->addItem(tr("This computer"));
    m_where->addItem(tr("MPI (mpirun)"));
    row->addWidget(m_where);

    m_mpi_fields = new QWidget;
    auto* mpi = new QHBoxLayout(m_mpi_fields);
    mpi->setContentsMargins(0, 0, 0, 0);
    mpi->addWidget(new QLabel(tr("Processes")));
    m_processes = new QSpinBox;
    m_processes->setObjectName("runOnProcesses");
    m_processes->setRange(1, 4096);
    m_processes->setValue(2);
    m_processes->setToolTip(tr("mpirun -np: the ranks share every batch (whole prompts each); batch_size must be at least this"));
    mpi->addWidget(m_processes);
    mpi->addWidget(new QLabel(tr("Hostfile")));
    m_hostfile = new QLineEdit;
    m_hostfile->setObjectName("runOnHostfile");
    m_hostfile->setPlaceholderText(tr("none: every process on this computer"));
    m_hostfile->setToolTip(tr("Open MPI hostfile (one host per line, e.g. \"node1 slots=2\"); every host needs "
                              "Reinforge, the model and the data at the same paths"));
    mpi->addWidget(m_hostfile, 1);
    m_browse = new QToolButton;
    m_browse->setObjectName("runOnBrowseHostfile");
    m_browse->setText(tr("…"));
    mpi->addWidget(m_browse);
    row->addWidget(m_mpi_fields, 1);
    row->addStretch();

    connect(m_where, &QComboBox::currentIndexChanged, this, [this] {
        updateShown();
        emit choiceChanged();
    });
    connect(m_processes, &QSpinBox::valueChanged, this, &RunOnBox::choiceChanged);
    connect(m_hostfile, &QLineEdit::textChanged, this, &RunOnBox::choiceChanged);
    connect(m_browse, &QToolButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Open MPI hostfile"), m_hostfile->text());
        if (!f.isEmpty()) m_hostfile->setText(f);
    });
    const bool found = !QStandardPaths::findExecutable("mpirun").isEmpty();
    setMpiAvailable(found, found ? QString() : tr("mpirun was not found (Debian: apt install openmpi-bin)"));
}

RunOnChoice RunOnBox::choice() const {
    return {m_available && m_where->currentIndex() == 1, m_processes->value(), m_hostfile->text().trimmed()};
}

void RunOnBox::setChoice(const RunOnChoice& c) {
    m_processes->setValue(c.processes);
    m_hostfile->setText(c.hostfile);
    m_where->setCurrentIndex(c.mpi && m_available ? 1 : 0);
    updateShown();
}

void RunOnBox::setMpiAvailable(bool available, const QString& why) {
    m_available = available;
    m_where->setEnabled(available);
    m_where->setToolTip(available ? tr("Where Train starts the run: in this app, or as mpirun -np N reinforge-cli train")
                                  : why);
    if (!available) m_where->setCurrentIndex(0);
    updateShown();
}

void RunOnBox::updateShown() { m_mpi_fields->setVisible(m_available && m_where->currentIndex() == 1); }

}  // namespace rf::ui
