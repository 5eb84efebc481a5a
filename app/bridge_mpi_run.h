// "Run on: MPI" (issue 17 item 5): the same run launched as `mpirun -np N [--hostfile F]
// reinforge-cli train CONFIG.yaml` (docs/scale-out.md) instead of a Session in this process. The
// RunFunction (bridge_controller.h) runs on the engine thread like the in-process one: it writes the
// resolved config beside the run folder, starts mpirun, forwards its output lines as log lines, and
// follows rank 0's metrics.jsonl, so the charts show the run live. Stop sends SIGUSR1 to mpirun (it
// reaches every rank; they agree on the stop at the end of a step and rank 0 writes a checkpoint).
// Pause is not available (the log says so). A human judge is refused by the ranks themselves.
#pragma once
#include <string>

#include "bridge_controller.h"

namespace rf::bridge {

struct MpiLaunch {
    int processes = 2;
    std::string hostfile;       // empty: every rank on this computer (--oversubscribe)
    std::string mpirun = "mpirun";
    std::string cli;            // reinforge-cli; empty: the one beside this executable
};

RunFunction mpiRunFunction(MpiLaunch launch);

// The reinforge-cli installed beside this program (the GUI's own folder), or "reinforge-cli".
std::string siblingCli();

}  // namespace rf::bridge
