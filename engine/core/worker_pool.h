// A small persistent pool for the decode kernels and the training step's element-wise passes: a
// decode step calls ~300 short parallel regions (100-500 us each), so threads are kept and spin
// briefly between regions instead of being created or woken through the kernel each time. The
// caller's thread does share 0. Runs between OpenBLAS's own threaded calls, never concurrently with
// them (engine-formats-and-limits.md §4.5); inside a region, shares may call OpenBLAS held to one
// thread (ops/gemm.h parallel_gemm_region).
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace rf {

class WorkerPool {
public:
    // n_threads <= 0: the machine's hardware concurrency (REINFORGE_THREADS overrides).
    explicit WorkerPool(int n_threads = 0);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    int size() const { return m_n; }
    // Calls fn(share, n_shares) for share = 0..n_shares-1 (n_shares = size()) and waits for all.
    // Calls from different threads are serialised; a call from inside fn would deadlock.
    // Exceptions thrown by fn are rethrown on the caller's thread.
    void run(const std::function<void(int share, int n_shares)>& fn);
    // Sends the workers that spin between regions to sleep now, for a caller about to hand the
    // cores to another thread pool (oneDNN's OpenMP threads, ops/gemm_bf16.cpp); the next run()
    // wakes them as usual.
    void park() { m_park.store(true, std::memory_order_relaxed); }
    // Splits [0, n) into size() contiguous ranges of multiples of `grain` and calls fn(begin, end).
    void parallel_for(long n, long grain, const std::function<void(long begin, long end)>& fn);

    // The process-wide pool used by the decode path and the training ops.
    static WorkerPool& global();
    // True on a thread that is running a share of some pool's run() (where another run() would
    // deadlock: callers then do the work themselves).
    static bool in_region();

private:
    void worker(int share);
    int m_n = 1;
    std::vector<std::thread> m_threads;
    const std::function<void(int, int)>* m_fn = nullptr;
    std::atomic<uint64_t> m_generation{0};
    std::atomic<int> m_pending{0};
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_park{false};
    std::mutex m_mutex;
    std::mutex m_run_mutex;
    std::condition_variable m_cv;
    std::exception_ptr m_error;
    std::mutex m_error_mutex;
};

// Splits rows [0, n) into one contiguous range per share of the global pool and calls fn(begin, end)
// when the region's work (about the elements it touches) is at least min_work; below that, or from
// inside a region, fn(0, n) runs on this thread (waking a worker costs microseconds).
void parallel_rows(long n, double work, const std::function<void(long begin, long end)>& fn,
                   double min_work = double(1 << 16));

}  // namespace rf
