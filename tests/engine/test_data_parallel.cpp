// The data-parallel pieces that need no MPI (engine/dist/comm.h, engine/train/data_parallel.h): how a
// batch is shared among ranks, the reductions with one process, and the byte packing. The MPI path
// itself is tested end to end by tests/cli/train_mpi.sh (2 ranks against 1 process).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "core/error.h"

#include "dist/comm.h"
#include "train/data_parallel.h"

using namespace rf;

namespace {

// A rank of a world of `n` in which every collective is this rank's own values (enough for the pure
// functions that only read rank() and size()).
class RankOf final : public Comm {
public:
    RankOf(int rank, int n) : m_rank(rank), m_n(n) {}
    int rank() const override { return m_rank; }
    int size() const override { return m_n; }
    void sum(std::span<float>) override {}
    void sum(std::span<double>) override {}
    void min(std::span<double>) override {}
    void max(std::span<double>) override {}
    std::vector<std::string> gather(const std::string& mine, int) override { return {mine}; }
    std::vector<std::string> all_gather(const std::string& mine) override { return {mine}; }
    void broadcast(std::string&, int) override {}
    [[noreturn]] void abort(int) override { throw std::runtime_error("abort"); }

private:
    int m_rank, m_n;
};

}  // namespace

TEST(DataParallel, ShardsCoverTheBatchInOrderWithWholePrompts) {
    for (int n = 1; n <= 5; ++n)
        for (int P = n; P <= 13; ++P) {
            int next = 0, smallest = P, largest = 0;
            for (int r = 0; r < n; ++r) {
                RankOf comm(r, n);
                const Shard s = shard_of(P, &comm);
                EXPECT_EQ(s.begin, next) << "P " << P << " n " << n << " rank " << r;
                next = s.end;
                smallest = std::min(smallest, s.size());
                largest = std::max(largest, s.size());
                RankOf before(std::max(r - 1, 0), n);
                EXPECT_LE(s.size(), shard_of(P, &before).size());  // the first ranks take the extra prompts
            }
            EXPECT_EQ(next, P);
            EXPECT_LE(largest - smallest, 1);
            EXPECT_GE(smallest, 1);
        }
}

TEST(DataParallel, OneProcessTakesEverything) {
    EXPECT_EQ(shard_of(7, nullptr).begin, 0);
    EXPECT_EQ(shard_of(7, nullptr).end, 7);
    LocalComm local;
    EXPECT_EQ(shard_of(7, &local).size(), 7);
}

TEST(DataParallel, ReductionsAreTheIdentityForOneProcess) {
    LocalComm local;
    std::map<std::string, MetricPart> parts = {{"loss", {0.5, 1, Reduce::sum}},
                                              {"kl", {0.25, 10, Reduce::mean}},
                                              {"shortest", {3, 1, Reduce::min}},
                                              {"longest", {9, 1, Reduce::max}}};
    for (Comm* c : {static_cast<Comm*>(nullptr), static_cast<Comm*>(&local)}) {
        auto out = reduce_metrics(c, parts);
        EXPECT_EQ(out.at("loss"), 0.5);
        EXPECT_EQ(out.at("kl"), 0.25);
        EXPECT_EQ(out.at("shortest"), 3);
        EXPECT_EQ(out.at("longest"), 9);
        const std::vector<double> rows = {1, 2, 3, 4, 5, 6};
        EXPECT_EQ(all_gather_rows(c, rows, 2), rows);
    }
    Comm& one = local;
    EXPECT_EQ(one.sum(2.5), 2.5);
    EXPECT_TRUE(one.any(true));
    EXPECT_FALSE(one.any(false));
}

TEST(DataParallel, DoublesSurviveThePackingNaNIncluded) {
    const std::vector<double> x = {1.0, -0.0, NAN, 1e300, -3.25};
    const std::vector<double> y = unpack_doubles(pack_doubles(x));
    ASSERT_EQ(y.size(), x.size());
    for (size_t i = 0; i < x.size(); ++i) {
        if (std::isnan(x[i])) {
            EXPECT_TRUE(std::isnan(y[i]));
            continue;
        }
        EXPECT_EQ(std::signbit(x[i]), std::signbit(y[i]));
        EXPECT_EQ(x[i], y[i]);
    }
    EXPECT_THROW(unpack_doubles(std::string(7, '\0')), InternalError);
}

TEST(DataParallel, NotLaunchedByMpirunMeansOneProcess) {
    if (launched_by_mpi()) GTEST_SKIP() << "this test runs under mpirun";
    std::unique_ptr<Comm> c = open_comm();
    EXPECT_EQ(c->size(), 1);
    EXPECT_TRUE(c->root());
}
