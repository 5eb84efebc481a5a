// `reward_functions_file`: a Python file written for mlx-lm-lora
//   from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function
// runs unchanged in a python3 worker process (resources/python/reinforge_reward_worker.py, with the
// mlx_lm_lora shim on its PYTHONPATH). The engine sends the batch once per step as one JSON line and
// reads one line back (protocol in the worker's docstring).
//
// Everything that can go wrong is an InputError naming the file and the function, never a hang:
// python3 missing, the file failing to import, a function raising, returning the wrong number of
// values, NaN/inf or a non-number, or not answering within `timeout_s` (the worker is then killed),
// the worker dying (a crash, a signal), a reply line over 16 MiB. Memory stays bounded whatever the
// file prints: its output is read as it comes (the last 8 KB kept for error messages) and at most
// max_forwarded_bytes of it per call is passed on.
// A function may return None for a completion ("not applicable"): that score is NaN here.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rewards/reward_function.h"

namespace rf {

class ChildProcess;

struct PythonWorkerOptions {
    std::string python = "python3";  // the interpreter (PATH lookup when it has no '/')
    double timeout_s = 30.0;         // for starting (importing the file) and for each batch
    std::string shim_dir;            // the folder holding reinforge_reward_worker.py; empty: python_shim_dir()
    bool forward_output = true;      // pass the file's print()/stderr output on to our stderr
    size_t max_forwarded_bytes = size_t(64) << 10;  // of that output per call (import, each batch);
                                                    // the rest is counted, not shown
};

// Where resources/python is: $REINFORGE_PYTHON_DIR, else <exe>/../share/reinforge/python, else the
// source tree's resources/python. Throws InputError when none holds the worker script.
std::string python_shim_dir();

// The worker's replies, parsed (untrusted input: tests/fuzz/fuzz_reward_worker_reply.cpp). Both throw
// InputError naming `file` for anything malformed, including a reply that says the call failed.
struct WorkerHello {
    std::vector<std::string> registered, available;
    std::string python;
};
WorkerHello parse_worker_hello(const std::string& line, const std::string& file);
// The reply to a "score" request for `names` on `n` completions: result[k][i] (NaN for None).
std::vector<std::vector<float>> parse_score_reply(const std::string& line, const std::vector<std::string>& names, size_t n,
                                                  const std::string& file);

class PythonRewardWorker {
public:
    // Starts python3 and imports `file`. Throws InputError (file = `file`) when it cannot.
    PythonRewardWorker(std::string file, PythonWorkerOptions options = {});
    ~PythonRewardWorker();

    const std::string& file() const { return m_file; }
    // Names the file registered (new names, and built-in names it re-registered), in order.
    const std::vector<std::string>& registered() const { return m_registered; }
    // Every name in the worker's registry (the five r1_* and the file's).
    const std::vector<std::string>& available() const { return m_available; }
    const std::string& python_version() const { return m_python_version; }
    // The worker's process id, or -1 once it was stopped after a failure (tests check cleanup).
    int pid() const;

    // Calls each named function on the batch; result[k][i] is function names[k] on completion i
    // (NaN where it returned None). `types` empty = no type column (each function gets [None]*n).
    std::vector<std::vector<float>> score(const std::vector<std::string>& names, const Strings& prompts,
                                          const Strings& completions, const Strings& answers, const Strings& types);

private:
    [[noreturn]] void fail(const std::string& function, const std::string& message, const std::string& hint);
    std::string read_reply(const std::string& function, double timeout_s);

    std::string m_file;
    PythonWorkerOptions m_options;
    // output bytes of the current call; before m_child, whose destructor may still forward lines
    size_t m_forwarded = 0, m_not_forwarded = 0;
    std::unique_ptr<ChildProcess> m_child;
    std::vector<std::string> m_registered, m_available;
    std::string m_python_version;
    std::mutex m_mu;
};

// One function of a worker, as a RewardFunction. Several share one worker.
class PythonRewardFunction : public RewardFunction {
public:
    PythonRewardFunction(std::shared_ptr<PythonRewardWorker> worker, std::string name)
        : m_worker(std::move(worker)), m_name(std::move(name)) {}
    std::string name() const override { return m_name; }
    std::vector<float> score(const Strings& prompts, const Strings& completions, const Strings& answers,
                             const Strings& types) override {
        return m_worker->score({m_name}, prompts, completions, answers, types).at(0);
    }
    const std::shared_ptr<PythonRewardWorker>& worker() const { return m_worker; }

private:
    std::shared_ptr<PythonRewardWorker> m_worker;
    std::string m_name;
};

}  // namespace rf
