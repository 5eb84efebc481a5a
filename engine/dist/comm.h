// The communicator of a data-parallel run (SPEC §18): the few collective operations a training step
// needs, so a rank is just another caller of the step functions (train/steps.h).
//
//   LocalComm  one process (rank 0 of 1): every operation is the identity; what every run uses
//              unless it was started by mpirun
//   MpiComm    Open MPI ranks (comm_mpi.cpp), compiled only when CMake finds MPI (the optional
//              build component REINFORGE_HAVE_MPI); the desktop build needs no MPI at all
//
// Every operation is collective: all ranks call it, in the same order, with the same sizes (except
// the payloads of gather / all_gather). A rank that fails must call abort(), never return alone:
// the others would wait in their next collective for ever.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace rf {

class Comm {
public:
    virtual ~Comm() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    bool root() const { return rank() == 0; }

    // Element-wise reductions in place; every rank ends with the same values.
    virtual void sum(std::span<float> x) = 0;
    virtual void sum(std::span<double> x) = 0;
    virtual void min(std::span<double> x) = 0;
    virtual void max(std::span<double> x) = 0;
    // Every rank's bytes in rank order: on `root` only (empty elsewhere), or on every rank.
    virtual std::vector<std::string> gather(const std::string& mine, int root) = 0;
    virtual std::vector<std::string> all_gather(const std::string& mine) = 0;
    // `bytes` of rank `root` on every rank (resized).
    virtual void broadcast(std::string& bytes, int root) = 0;
    // Ends every rank of the job with `code` (after the caller printed why). Does not return.
    [[noreturn]] virtual void abort(int code) = 0;

    // Conveniences over the above.
    double sum(double x);
    bool any(bool x);  // true on every rank when it is true on one
};

// One process.
class LocalComm final : public Comm {
public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    void sum(std::span<float>) override {}
    void sum(std::span<double>) override {}
    void min(std::span<double>) override {}
    void max(std::span<double>) override {}
    std::vector<std::string> gather(const std::string& mine, int) override { return {mine}; }
    std::vector<std::string> all_gather(const std::string& mine) override { return {mine}; }
    void broadcast(std::string&, int) override {}
    [[noreturn]] void abort(int code) override;
};

// True when this process was started by an MPI launcher (mpirun / mpiexec / srun with PMIx): Open
// MPI's OMPI_COMM_WORLD_SIZE or PMIx's PMIX_RANK in the environment.
bool launched_by_mpi();
// Several ranks started on one machine share its cores: unless the user set REINFORGE_THREADS /
// OPENBLAS_NUM_THREADS, each gets max(1, cores / local ranks) threads (cores: the CPUs this process
// may run on, when mpirun bound it). Call before init_math_threads (core/fp_mode.h).
void share_cores_among_local_ranks();
// True when this build has the MPI component.
bool comm_has_mpi();
// The world communicator when launched_by_mpi() (initialises MPI; finalised when it is destroyed),
// else a LocalComm. Throws InputError when launched by mpirun with more than one process and the
// build has no MPI.
std::unique_ptr<Comm> open_comm();

// Packing doubles into the byte payloads of gather / broadcast.
std::string pack_doubles(std::span<const double> x);
std::vector<double> unpack_doubles(const std::string& bytes);

}  // namespace rf
