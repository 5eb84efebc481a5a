// The MPI communicator (comm.h): MPI_COMM_WORLD of an Open MPI job. Compiled only when CMake found
// MPI (REINFORGE_HAVE_MPI). Large buffers go in chunks, since MPI counts are `int`.
// the C API only (Open MPI's mpi.h pulls in its deprecated C++ bindings otherwise)
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "core/error.h"
#include "dist/comm.h"

namespace rf {

namespace {

constexpr size_t kChunk = size_t(1) << 28;  // elements per MPI call (< INT_MAX for any element size)

// MPI's default handler on MPI_COMM_WORLD is MPI_ERRORS_ARE_FATAL, so a failed call ends the job
// with MPI's own message; this check covers the calls made with another handler installed.
void check(int rc, const char* what) {
    if (rc == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    throw std::runtime_error(std::string(what) + " failed: " + std::string(text, size_t(len)));
}

template <class T>
void allreduce_chunks(std::span<T> x, MPI_Datatype type, MPI_Op op, const char* what) {
    for (size_t at = 0; at < x.size(); at += kChunk) {
        const int n = int(std::min(kChunk, x.size() - at));
        check(MPI_Allreduce(MPI_IN_PLACE, x.data() + at, n, type, op, MPI_COMM_WORLD), what);
    }
}

class MpiComm final : public Comm {
public:
    MpiComm() {
        int inited = 0;
        MPI_Initialized(&inited);
        if (!inited) {
            int provided = 0;
            // one thread calls MPI (the session's); the worker pool and BLAS threads never do
            check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
            m_owns = true;
        }
        MPI_Comm_rank(MPI_COMM_WORLD, &m_rank);
        MPI_Comm_size(MPI_COMM_WORLD, &m_size);
    }
    ~MpiComm() override {
        int finalized = 0;
        MPI_Finalized(&finalized);
        if (m_owns && !finalized) MPI_Finalize();
    }
    int rank() const override { return m_rank; }
    int size() const override { return m_size; }
    void sum(std::span<float> x) override { allreduce_chunks(x, MPI_FLOAT, MPI_SUM, "MPI_Allreduce(sum)"); }
    void sum(std::span<double> x) override { allreduce_chunks(x, MPI_DOUBLE, MPI_SUM, "MPI_Allreduce(sum)"); }
    void min(std::span<double> x) override { allreduce_chunks(x, MPI_DOUBLE, MPI_MIN, "MPI_Allreduce(min)"); }
    void max(std::span<double> x) override { allreduce_chunks(x, MPI_DOUBLE, MPI_MAX, "MPI_Allreduce(max)"); }

    std::vector<std::string> gather(const std::string& mine, int root) override { return gatherv(mine, root, false); }
    std::vector<std::string> all_gather(const std::string& mine) override { return gatherv(mine, 0, true); }

    void broadcast(std::string& bytes, int root) override {
        unsigned long long n = bytes.size();
        check(MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, root, MPI_COMM_WORLD), "MPI_Bcast");
        bytes.resize(size_t(n));
        for (size_t at = 0; at < bytes.size(); at += kChunk) {
            const int c = int(std::min(kChunk, bytes.size() - at));
            check(MPI_Bcast(bytes.data() + at, c, MPI_CHAR, root, MPI_COMM_WORLD), "MPI_Bcast");
        }
    }

    [[noreturn]] void abort(int code) override {
        MPI_Abort(MPI_COMM_WORLD, code);
        std::exit(code);  // MPI_Abort does not return; this is for the compiler
    }

private:
    // Sizes first, then one MPI_(All)gatherv of the bytes (payloads of a step are far below 2 GiB).
    std::vector<std::string> gatherv(const std::string& mine, int root, bool everyone) {
        RF_CHECK(mine.size() < size_t(INT_MAX), "Comm::gather: payload over 2 GiB");
        int n = int(mine.size());
        std::vector<int> sizes(size_t(m_size), 0), displs(size_t(m_size), 0);
        if (everyone) check(MPI_Allgather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Allgather");
        else check(MPI_Gather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, root, MPI_COMM_WORLD), "MPI_Gather");
        const bool receives = everyone || m_rank == root;
        long long total = 0;
        for (int r = 0; r < m_size && receives; ++r) displs[size_t(r)] = int(total), total += sizes[size_t(r)];
        RF_CHECK(total < INT_MAX, "Comm::gather: payloads over 2 GiB");
        std::string all(receives ? size_t(total) : 0, '\0');
        if (everyone)
            check(MPI_Allgatherv(mine.data(), n, MPI_CHAR, all.data(), sizes.data(), displs.data(), MPI_CHAR, MPI_COMM_WORLD),
                  "MPI_Allgatherv");
        else
            check(MPI_Gatherv(mine.data(), n, MPI_CHAR, all.data(), sizes.data(), displs.data(), MPI_CHAR, root,
                              MPI_COMM_WORLD),
                  "MPI_Gatherv");
        std::vector<std::string> out;
        if (!receives) return out;
        for (int r = 0; r < m_size; ++r) out.push_back(all.substr(size_t(displs[size_t(r)]), size_t(sizes[size_t(r)])));
        return out;
    }

    int m_rank = 0, m_size = 1;
    bool m_owns = false;
};

}  // namespace

std::unique_ptr<Comm> make_mpi_comm() { return std::make_unique<MpiComm>(); }

}  // namespace rf
