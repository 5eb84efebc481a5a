// The single-process communicator, the launcher check and open_comm() (comm.h).
#include "dist/comm.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "core/error.h"

namespace rf {

#ifdef REINFORGE_HAVE_MPI
std::unique_ptr<Comm> make_mpi_comm();  // comm_mpi.cpp
#endif

double Comm::sum(double x) {
    double v[1] = {x};
    sum(std::span<double>(v, 1));
    return v[0];
}

bool Comm::any(bool x) {
    double v[1] = {x ? 1.0 : 0.0};
    max(std::span<double>(v, 1));
    return v[0] != 0.0;
}

void LocalComm::abort(int code) { std::exit(code); }

bool launched_by_mpi() { return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK"); }

void share_cores_among_local_ranks() {
    const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    const int ranks = local ? std::atoi(local) : 1;
    if (ranks <= 1) return;
    int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    int usable = cores;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) usable = std::max(1, CPU_COUNT(&set));
    const std::string n = std::to_string(std::max(1, std::min(usable, cores / ranks)));
    setenv("REINFORGE_THREADS", n.c_str(), 0);  // 0: a user's value stays
    setenv("OPENBLAS_NUM_THREADS", n.c_str(), 0);
}

bool comm_has_mpi() {
#ifdef REINFORGE_HAVE_MPI
    return true;
#else
    return false;
#endif
}

std::unique_ptr<Comm> open_comm() {
    if (!launched_by_mpi()) return std::make_unique<LocalComm>();
#ifdef REINFORGE_HAVE_MPI
    return make_mpi_comm();
#else
    const char* world = std::getenv("OMPI_COMM_WORLD_SIZE");
    if (world && std::atoi(world) > 1)
        throw InputError({}, 0, {}, "started by mpirun with " + std::string(std::getenv("OMPI_COMM_WORLD_SIZE")) +
                                        " processes, but this reinforge-cli was built without MPI",
                         "install Open MPI (Debian: openmpi-bin libopenmpi-dev) and rebuild (packaging/build.sh)");
    return std::make_unique<LocalComm>();
#endif
}

std::string pack_doubles(std::span<const double> x) {
    std::string s(x.size() * sizeof(double), '\0');
    if (!x.empty()) std::memcpy(s.data(), x.data(), s.size());
    return s;
}

std::vector<double> unpack_doubles(const std::string& bytes) {
    RF_CHECK(bytes.size() % sizeof(double) == 0, "unpack_doubles: not a whole number of doubles");
    std::vector<double> x(bytes.size() / sizeof(double));
    if (!x.empty()) std::memcpy(x.data(), bytes.data(), bytes.size());
    return x;
}

}  // namespace rf
