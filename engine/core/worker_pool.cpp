// Persistent worker pool (see worker_pool.h).
#include "core/worker_pool.h"

#include <chrono>
#include <cstdlib>
#include <string>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace rf {

namespace {
inline void cpu_relax() {
#if defined(__x86_64__)
    _mm_pause();
#endif
}
thread_local bool t_in_region = false;  // this thread runs a share of a run()

struct RegionFlag {
    RegionFlag() { t_in_region = true; }
    ~RegionFlag() { t_in_region = false; }
};

int default_threads() {
    if (const char* env = std::getenv("REINFORGE_THREADS")) {
        int n = std::atoi(env);
        if (n > 0) return n;
    }
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : int(n);
}
}  // namespace

WorkerPool::WorkerPool(int n_threads) {
    m_n = n_threads > 0 ? n_threads : default_threads();
    for (int i = 1; i < m_n; ++i) m_threads.emplace_back([this, i] { worker(i); });
}

WorkerPool::~WorkerPool() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
        m_generation.fetch_add(1);
    }
    m_cv.notify_all();
    for (auto& t : m_threads) t.join();
}

WorkerPool& WorkerPool::global() {
    static WorkerPool pool;
    return pool;
}

void WorkerPool::worker(int share) {
    uint64_t seen = 0;
    for (;;) {
        // Spin for a short while (the next region usually starts within microseconds), then sleep.
        auto spin_until = std::chrono::steady_clock::now() + std::chrono::microseconds(100);
        while (m_generation.load(std::memory_order_acquire) == seen) {
            if (m_park.load(std::memory_order_relaxed) || std::chrono::steady_clock::now() > spin_until) {
                std::unique_lock<std::mutex> lock(m_mutex);
                m_cv.wait(lock, [&] { return m_generation.load(std::memory_order_acquire) != seen; });
                break;
            }
            for (int i = 0; i < 32; ++i) cpu_relax();
        }
        seen = m_generation.load(std::memory_order_acquire);
        if (m_stop) return;
        try {
            RegionFlag flag;
            (*m_fn)(share, m_n);
        } catch (...) {
            std::lock_guard<std::mutex> lock(m_error_mutex);
            if (!m_error) m_error = std::current_exception();
        }
        m_pending.fetch_sub(1, std::memory_order_acq_rel);
    }
}

void WorkerPool::run(const std::function<void(int, int)>& fn) {
    if (m_n == 1) {
        fn(0, 1);
        return;
    }
    std::lock_guard<std::mutex> run_lock(m_run_mutex);
    m_fn = &fn;
    m_error = nullptr;
    m_park.store(false, std::memory_order_relaxed);
    m_pending.store(m_n - 1, std::memory_order_release);
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_generation.fetch_add(1, std::memory_order_acq_rel);
    }
    m_cv.notify_all();
    std::exception_ptr mine;
    try {
        RegionFlag flag;
        fn(0, m_n);
    } catch (...) {
        mine = std::current_exception();
    }
    // Spin briefly, then yield: when the machine is oversubscribed the worker may first need the
    // core this thread is spinning on.
    for (int spins = 0; m_pending.load(std::memory_order_acquire) != 0; ++spins) {
        if (spins < 2000)
            cpu_relax();
        else
            std::this_thread::yield();
    }
    m_fn = nullptr;
    if (mine) std::rethrow_exception(mine);
    if (m_error) std::rethrow_exception(m_error);
}

bool WorkerPool::in_region() {
    return t_in_region;
}

void WorkerPool::parallel_for(long n, long grain, const std::function<void(long, long)>& fn) {
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    const long chunks = (n + grain - 1) / grain;
    if (m_n == 1 || chunks == 1) {
        fn(0, n);
        return;
    }
    run([&](int share, int n_shares) {
        long c0 = chunks * share / n_shares, c1 = chunks * (share + 1) / n_shares;
        long b = c0 * grain, e = std::min(n, c1 * grain);
        if (b < e) fn(b, e);
    });
}

void parallel_rows(long n, double work, const std::function<void(long, long)>& fn, double min_work) {
    if (n <= 0) return;
    WorkerPool& pool = WorkerPool::global();
    if (work < min_work || n < 2 || pool.size() == 1 || WorkerPool::in_region()) return fn(0, n);
    pool.parallel_for(n, 1, fn);
}

}  // namespace rf
