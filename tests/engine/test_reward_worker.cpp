// reward_functions_file in a real python3 worker: files written for mlx-lm-lora run unchanged, the
// shim's r1_* functions agree with the C++ port, and every failure (missing interpreter, import
// error, exception, wrong length, NaN, non-number, hang, crash) is a clear InputError naming the file
// and the function, within the timeout, with the worker process cleaned up.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "rewards/python_worker.h"
#include "rewards/reward_registry.h"
#include "rewards/reward_set.h"

using namespace rf;
namespace fs = std::filesystem;

namespace {

std::string python() { return ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3"; }

class RewardWorker : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("rf_reward_worker_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string write(const std::string& name, const std::string& text) {
        std::ofstream((dir_ / name).string()) << text;
        return (dir_ / name).string();
    }
    PythonWorkerOptions opts(double timeout = 20.0) {
        PythonWorkerOptions o;
        o.python = python();
        o.timeout_s = timeout;
        o.forward_output = false;
        return o;
    }
    // The InputError message of `f`, failing the test when it does not throw one.
    template <class F>
    std::string error_of(F&& f) {
        try {
            f();
        } catch (const InputError& e) {
            return e.what();
        }
        ADD_FAILURE() << "no InputError";
        return {};
    }
    fs::path dir_;
};

bool alive(int pid) { return pid > 0 && ::kill(pid, 0) == 0; }

// The seed's example file (seed 004, "Custom reward functions"), verbatim.
const char* kSeedFile = R"PY(import json
from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function
@register_reward_function("exact_match")
def exact_match(prompts, completions, answer, types=None):
    """2.0 when the completion text exactly matches the reference answer."""
    return [2.0 if c.strip() == a.strip() else 0.0
            for c, a in zip(completions, answer)]
@register_reward_function("valid_json")
def valid_json(prompts, completions, answer, types=None):
    """1.0 for a JSON object, 0.5 for any valid JSON, 0.0 otherwise."""
    scores = []
    for c in completions:
        try:
            obj = json.loads(c.strip())
            scores.append(1.0 if isinstance(obj, dict) else 0.5)
        except Exception:
            scores.append(0.0)
    return scores
@register_reward_function("concise")
def concise(prompts, completions, answer, types=None):
    """1.0 for short answers, decaying to 0 as word count passes ~200."""
    return [max(0.0, 1.0 - len(c.split()) / 200.0) for c in completions]
@register_reward_function("by_type")
def by_type(prompts, completions, answer, types=None):
    scores = []
    types = types or [None] * len(completions)
    for c, a, t in zip(completions, answer, types):
        if t == "math":
            scores.append(2.0 if c.strip() == a.strip() else 0.0)
        elif t == "json":
            try:
                json.loads(c.strip())
                scores.append(1.0)
            except Exception:
                scores.append(0.0)
        else:
            scores.append(0.5 if c.strip() else 0.0)
    return scores
)PY";

}  // namespace

TEST_F(RewardWorker, SeedExampleFileRunsUnchanged) {
    std::string file = write("my_rewards.py", kSeedFile);
    PythonRewardWorker w(file, opts());
    EXPECT_EQ(w.registered(), (std::vector<std::string>{"exact_match", "valid_json", "concise", "by_type"}));
    for (const char* builtin : {"r1_accuracy_reward_func", "r1_count_xml"})
        EXPECT_NE(std::find(w.available().begin(), w.available().end(), builtin), w.available().end());

    Strings prompts = {"p", "p", "p", "p"};
    Strings completions = {" 42 ", "{\"a\": 1}", "[1, 2]", "one two three four"};
    Strings answers = {"42", "x", "[1, 2]", ""};
    Strings types = {"math", "json", "json", ""};
    auto s = w.score({"exact_match", "valid_json", "concise", "by_type"}, prompts, completions, answers, types);
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(s[0], (std::vector<float>{2.0f, 0.0f, 2.0f, 0.0f}));
    EXPECT_EQ(s[1], (std::vector<float>{0.5f, 1.0f, 0.5f, 0.0f}));  // " 42 " is valid JSON (a number)
    EXPECT_FLOAT_EQ(s[2][3], float(1.0 - 4 / 200.0));
    EXPECT_EQ(s[3], (std::vector<float>{2.0f, 1.0f, 1.0f, 0.5f}));  // types reach the function
    // Without a type column every function gets [None] * n: by_type's default branch.
    auto s2 = w.score({"by_type"}, prompts, completions, answers, {});
    EXPECT_EQ(s2[0], (std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f}));
}

// The shim's r1_* (what a file gets from get_reward_function) agrees with the C++ port on the
// ~220 fixture completions, through the worker (also a large round trip).
TEST_F(RewardWorker, ShimR1FunctionsMatchNativePort) {
    std::string file = write("wrap.py", R"PY(
from mlx_lm_lora.trainer.grpo_reward_functions import (register_reward_function, get_reward_function,
    get_default_reward_functions, list_available_reward_functions)
for fn in get_default_reward_functions():
    register_reward_function("py_" + fn.__name__)(fn)
assert "r1_count_xml" in list_available_reward_functions()
)PY");
    std::ifstream f(std::string(REINFORGE_FIXTURES) + "/rewards/r1_cases.json");
    std::stringstream ss;
    ss << f.rdbuf();
    auto fx = nlohmann::json::parse(ss.str());
    Strings prompts, completions, answers;
    for (const auto& c : fx["cases"]) {
        if (c.contains("completion_hex")) continue;  // JSON carries text; invalid bytes are tested below
        prompts.push_back(c["prompt"]);
        completions.push_back(c["completion"]);
        answers.push_back(c["answer"]);
    }
    PythonRewardWorker w(file, opts());
    std::vector<std::string> names;
    for (const auto& b : builtin_rewards()) names.push_back(std::string("py_") + b.name);
    auto py = w.score(names, prompts, completions, answers, {});
    for (size_t k = 0; k < builtin_rewards().size(); ++k)
        EXPECT_EQ(py[k], builtin_rewards()[k].fn(prompts, completions, answers, {})) << builtin_rewards()[k].name;
}

TEST_F(RewardWorker, LargeBatchAndOddText) {
    std::string file = write("len.py", R"PY(
from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function
@register_reward_function()
def length(prompts, completions, answer, types=None):
    print("debug output from the file must not break the protocol")
    import os; os.write(1, b"raw write to fd 1\n")
    return [len(c) for c in completions]
)PY");
    PythonRewardWorker w(file, opts());
    Strings completions;
    for (int i = 0; i < 3000; ++i) completions.push_back(std::string(size_t(i % 997), 'x'));
    completions[1] = "\xc3\xa9\xf0\x9f\x98\x80";  // é + emoji: 2 code points
    completions[2] = "ab\xe2\x82";                 // cut character: U+FFFD, 3 code points
    completions[3] = std::string("a\0b\n\"\\", 6);
    Strings prompts(completions.size(), "p"), answers(completions.size(), "");
    auto s = w.score({"length"}, prompts, completions, answers, {});
    ASSERT_EQ(s[0].size(), completions.size());
    EXPECT_EQ(s[0][1], 2.0f);
    EXPECT_EQ(s[0][2], 3.0f);
    EXPECT_EQ(s[0][3], 6.0f);
    EXPECT_EQ(s[0][2999], float(2999 % 997));
}

TEST_F(RewardWorker, NoneMeansNotApplicable) {
    std::string file = write("none.py", R"PY(
from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function
@register_reward_function()
def only_math(prompts, completions, answer, types=None):
    return [1.0 if t == "math" else None for t in types]
@register_reward_function()
def never(prompts, completions, answer, types=None):
    return None
)PY");
    RewardSetOptions o;
    o.names = {"only_math", "r1_count_xml"};
    o.weights = {2.0, 1.0};
    o.functions_file = file;
    o.python = opts();
    RewardSet set(o);
    EXPECT_TRUE(set.is_python(0));
    EXPECT_FALSE(set.is_python(1));
    Strings c = {"<think>\nr</think><answer>1</answer>", "<think>\nr</think><answer>1</answer>"};
    RewardBatch b = set.score({"p", "q"}, c, {"1", "1"}, {"math", "text"});
    EXPECT_EQ(b.per_function[0][0], 1.0f);
    EXPECT_TRUE(std::isnan(b.per_function[0][1]));
    EXPECT_EQ(b.total[0], 2.0f * 1.0f + 0.5f);
    EXPECT_EQ(b.total[1], 0.5f);  // None counts 0
    RewardStats st = reward_stats(b.per_function[0]);
    EXPECT_DOUBLE_EQ(st.coverage, 0.5);
    EXPECT_DOUBLE_EQ(st.mean, 1.0);

    RewardSetOptions o2 = o;
    o2.names = {"never"};
    o2.weights = {};
    RewardSet only_none(o2);
    std::string msg = error_of([&] { only_none.score({"p"}, {"x"}, {""}, {}); });
    EXPECT_NE(msg.find("returned None for completion 0"), std::string::npos) << msg;
}

TEST_F(RewardWorker, FileOverridesBuiltinName) {
    std::string file = write("override.py", R"PY(
from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function
@register_reward_function("r1_count_xml")
def mine(prompts, completions, answer, types=None):
    return [7.0] * len(completions)
)PY");
    RewardSetOptions o;
    o.names = {"r1_count_xml", "r1_int_reward_func"};
    o.functions_file = file;
    o.python = opts();
    RewardSet set(o);
    EXPECT_TRUE(set.is_python(0));
    EXPECT_FALSE(set.is_python(1));
    RewardBatch b = set.score({"p"}, {"<answer>5</answer>"}, {"5"}, {});
    EXPECT_EQ(b.per_function[0][0], 7.0f);
    EXPECT_EQ(b.total[0], 7.5f);
}

TEST_F(RewardWorker, MissingInterpreter) {
    std::string file = write("ok.py", "x = 1\n");
    PythonWorkerOptions o = opts();
    o.python = "/nonexistent/python3";
    std::string msg = error_of([&] { PythonRewardWorker w(file, o); });
    EXPECT_NE(msg.find("not found"), std::string::npos) << msg;
    EXPECT_NE(msg.find(file), std::string::npos) << msg;
    o.python = "reinforge-no-such-python";
    msg = error_of([&] { PythonRewardWorker w(file, o); });
    EXPECT_NE(msg.find("install python3"), std::string::npos) << msg;
}

TEST_F(RewardWorker, MissingFile) {
    std::string msg = error_of([&] { PythonRewardWorker w((dir_ / "nope.py").string(), opts()); });
    EXPECT_NE(msg.find("nope.py"), std::string::npos) << msg;
    EXPECT_NE(msg.find("cannot read"), std::string::npos) << msg;
}

TEST_F(RewardWorker, ImportErrorNamesLine) {
    std::string file = write("broken.py", "import os\n\ndef f(:\n    pass\n");
    try {
        PythonRewardWorker w(file, opts());
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_EQ(e.file, file);
        EXPECT_EQ(e.line, 3);
        EXPECT_NE(std::string(e.what()).find("SyntaxError"), std::string::npos) << e.what();
    }
    std::string file2 = write("raises.py", "x = 1\nraise RuntimeError('no model here')\n");
    try {
        PythonRewardWorker w(file2, opts());
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_EQ(e.line, 2);
        EXPECT_NE(std::string(e.what()).find("no model here"), std::string::npos) << e.what();
    }
    std::string file3 = write("imports.py", "import mlx.core as mx\n");
    std::string msg = error_of([&] { PythonRewardWorker w(file3, opts()); });
    EXPECT_NE(msg.find("ModuleNotFoundError"), std::string::npos) << msg;
}

TEST_F(RewardWorker, BadReturnValuesAreClearErrors) {
    std::string file = write("bad.py", R"PY(
from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function
@register_reward_function()
def raises(prompts, completions, answer, types=None):
    return [1.0 / 0.0 for c in completions]
@register_reward_function()
def short(prompts, completions, answer, types=None):
    return [1.0]
@register_reward_function()
def nan(prompts, completions, answer, types=None):
    return [float("nan")] * len(completions)
@register_reward_function()
def inf(prompts, completions, answer, types=None):
    return [float("inf")] * len(completions)
@register_reward_function()
def text(prompts, completions, answer, types=None):
    return ["high"] * len(completions)
@register_reward_function()
def scalar(prompts, completions, answer, types=None):
    return 1.0
@register_reward_function()
def fine(prompts, completions, answer, types=None):
    return [True, 0, 2.5]
)PY");
    PythonRewardWorker w(file, opts());
    Strings p = {"a", "b", "c"}, c = {"x", "y", "z"}, a = {"", "", ""};
    struct Case {
        const char* name;
        const char* expect;
    } cases[] = {{"raises", "ZeroDivisionError"}, {"short", "returned 1 values for 3 completions"},
                 {"nan", "NaN"},                  {"inf", "inf"},
                 {"text", "not a number"},        {"scalar", "expected a list"}};
    for (const Case& k : cases) {
        try {
            w.score({k.name}, p, c, a, {});
            ADD_FAILURE() << k.name << ": no error";
        } catch (const InputError& e) {
            std::string msg = e.what();
            EXPECT_EQ(e.file, file) << msg;
            EXPECT_EQ(e.key, k.name) << msg;
            EXPECT_NE(msg.find(std::string("'") + k.name + "'"), std::string::npos) << msg;
            EXPECT_NE(msg.find(k.expect), std::string::npos) << msg;
        }
    }
    try {
        w.score({"raises"}, p, c, a, {});
    } catch (const InputError& e) {
        EXPECT_EQ(e.line, 5) << e.what();  // the line of the raising expression in the file
    }
    // The worker survives its functions' errors.
    EXPECT_EQ(w.score({"fine"}, p, c, a, {})[0], (std::vector<float>{1.0f, 0.0f, 2.5f}));
}

TEST_F(RewardWorker, HangIsKilledWithinTimeout) {
    std::string file = write("hang.py", R"PY(
import time, subprocess
from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function
@register_reward_function()
def slow(prompts, completions, answer, types=None):
    subprocess.Popen(["sleep", "300"])  # a grandchild must die with the worker
    time.sleep(300)
    return [0.0] * len(completions)
)PY");
    PythonRewardWorker w(file, opts(1.0));
    int pid = w.pid();
    ASSERT_TRUE(alive(pid));
    auto t0 = std::chrono::steady_clock::now();
    std::string msg = error_of([&] { w.score({"slow"}, {"p"}, {"c"}, {""}, {}); });
    double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_LT(dt, 5.0);
    EXPECT_NE(msg.find("'slow' did not return within 1 s"), std::string::npos) << msg;
    EXPECT_NE(msg.find(file), std::string::npos) << msg;
    EXPECT_FALSE(alive(pid));
    EXPECT_EQ(w.pid(), -1);
    msg = error_of([&] { w.score({"slow"}, {"p"}, {"c"}, {""}, {}); });
    EXPECT_NE(msg.find("stopped"), std::string::npos) << msg;
}

TEST_F(RewardWorker, HangWhileImporting) {
    std::string file = write("loop.py", "while True:\n    pass\n");
    auto t0 = std::chrono::steady_clock::now();
    std::string msg = error_of([&] { PythonRewardWorker w(file, opts(1.0)); });
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
    EXPECT_NE(msg.find("did not finish importing within 1 s"), std::string::npos) << msg;
}

TEST_F(RewardWorker, CrashIsReported) {
    std::string file = write("crash.py", R"PY(
import os, sys
from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function
@register_reward_function()
def crash(prompts, completions, answer, types=None):
    sys.stderr.write("about to crash\n"); sys.stderr.flush()
    os._exit(3)
)PY");
    PythonRewardWorker w(file, opts());
    std::string msg = error_of([&] { w.score({"crash"}, {"p"}, {"c"}, {""}, {}); });
    EXPECT_NE(msg.find("exited with status 3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("about to crash"), std::string::npos) << msg;
}

TEST_F(RewardWorker, WorkerExitsWithTheEngineObject) {
    std::string file = write("ok.py", "x = 1\n");
    int pid;
    {
        PythonRewardWorker w(file, opts());
        pid = w.pid();
        EXPECT_TRUE(alive(pid));
    }
    EXPECT_FALSE(alive(pid));
}

// ---- hostile reward files (issue 18): crashes mid-run, endless or huge output -----------------------

// Peak resident memory of this process (VmHWM, KiB), after reset_peak() when the kernel allows it
// (clear_refs 5), so one test's peak is not hidden by an earlier one's.
void reset_peak() { std::ofstream("/proc/self/clear_refs") << "5"; }
long peak_kb() {
    std::ifstream f("/proc/self/status");
    for (std::string line; std::getline(f, line);)
        if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
    return 0;
}
long rss_kb() {
    std::ifstream f("/proc/self/status");
    for (std::string line; std::getline(f, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return 0;
}

TEST_F(RewardWorker, CrashMidRunIsReportedAndTheWorkerStaysStopped) {
    std::string file = write("flaky.py", R"PY(
import os, signal
from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function
calls = 0
@register_reward_function()
def flaky(prompts, completions, answer, types=None):
    global calls
    calls += 1
    if calls == 3:
        os.kill(os.getpid(), signal.SIGSEGV)
    return [1.0] * len(completions)
)PY");
    PythonRewardWorker w(file, opts());
    int pid = w.pid();
    EXPECT_EQ(w.score({"flaky"}, {"p"}, {"c"}, {""}, {})[0], std::vector<float>{1.0f});
    EXPECT_EQ(w.score({"flaky"}, {"p"}, {"c"}, {""}, {})[0], std::vector<float>{1.0f});
    std::string msg = error_of([&] { w.score({"flaky"}, {"p"}, {"c"}, {""}, {}); });
    EXPECT_NE(msg.find("reward function 'flaky' stopped: the python worker was killed by signal 11"), std::string::npos) << msg;
    EXPECT_NE(msg.find(file), std::string::npos) << msg;
    EXPECT_FALSE(alive(pid));
    msg = error_of([&] { w.score({"flaky"}, {"p"}, {"c"}, {""}, {}); });
    EXPECT_NE(msg.find("stopped after an earlier failure"), std::string::npos) << msg;
}

// 1 GB of print() and os.write(1, ...) output in one call: the call succeeds, our memory does not
// grow with it, and only max_forwarded_bytes of it reach our stderr.
TEST_F(RewardWorker, PrintingAGigabyteKeepsMemoryBounded) {
    std::string file = write("chatty.py", R"PY(
import os
from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function
@register_reward_function()
def chatty(prompts, completions, answer, types=None):
    line = "x" * (1 << 20)
    for i in range(512):
        print(line)
        os.write(1, line.encode() + b"\n")
    return [0.5] * len(completions)
)PY");
    PythonWorkerOptions o = opts();
    o.forward_output = true;
    PythonRewardWorker w(file, o);
    reset_peak();
    const long before = std::max(rss_kb(), peak_kb());
    ::testing::internal::CaptureStderr();
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::vector<float>> got = w.score({"chatty"}, {"p", "q"}, {"c", "d"}, {"", ""}, {});
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::string shown = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(got[0], (std::vector<float>{0.5f, 0.5f}));
    EXPECT_LT(peak_kb() - before, 64 * 1024) << "peak grew by " << (peak_kb() - before) / 1024 << " MiB";
    EXPECT_LT(shown.size(), size_t(80) << 10);
    EXPECT_NE(shown.find("more bytes of output not shown (at most 65536 per call)"), std::string::npos) << shown.substr(0, 300);
    std::printf("1 GiB of output read in %.1f s\n", dt);
}

// A function that prints without end still meets the timeout (reading its output never holds the
// engine past the deadline).
TEST_F(RewardWorker, PrintingForeverMeetsTheTimeout) {
    std::string file = write("spam.py", R"PY(
import sys
from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function
@register_reward_function()
def spam(prompts, completions, answer, types=None):
    line = "y" * 65536
    while True:
        sys.stderr.write(line)
)PY");
    PythonRewardWorker w(file, opts(1.0));
    auto t0 = std::chrono::steady_clock::now();
    std::string msg = error_of([&] { w.score({"spam"}, {"p"}, {"c"}, {""}, {}); });
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
    EXPECT_NE(msg.find("'spam' did not return within 1 s"), std::string::npos) << msg;
}

// A file writing into the protocol itself (fd 0 is the worker's socket too): a reply line longer than
// 16 MiB stops the worker, read no further.
TEST_F(RewardWorker, AGigabyteIntoTheProtocolIsRefused) {
    std::string file = write("flood.py", R"PY(
import os
from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function
@register_reward_function()
def flood(prompts, completions, answer, types=None):
    chunk = b"z" * (1 << 20)
    for i in range(1024):
        os.write(0, chunk)
    return [0.0] * len(completions)
)PY");
    PythonRewardWorker w(file, opts());
    int pid = w.pid();
    reset_peak();
    const long before = std::max(rss_kb(), peak_kb());
    std::string msg = error_of([&] { w.score({"flood"}, {"p"}, {"c"}, {""}, {}); });
    EXPECT_NE(msg.find("'flood' sent a reply line longer than 16 MiB"), std::string::npos) << msg;
    EXPECT_LT(peak_kb() - before, 64 * 1024) << "peak grew by " << (peak_kb() - before) / 1024 << " MiB";
    EXPECT_FALSE(alive(pid));
}

// An exception whose message holds 100 MB: the error quotes its start and end, not all of it.
TEST_F(RewardWorker, AHugeExceptionMessageIsClipped) {
    std::string file = write("loud.py", R"PY(
from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function
@register_reward_function()
def loud(prompts, completions, answer, types=None):
    raise ValueError("w" * 100_000_000)
)PY");
    PythonRewardWorker w(file, opts());
    std::string msg = error_of([&] { w.score({"loud"}, {"p"}, {"c"}, {""}, {}); });
    EXPECT_NE(msg.find("reward function 'loud' raised ValueError: www"), std::string::npos) << msg.substr(0, 300);
    EXPECT_NE(msg.find("characters left out"), std::string::npos) << msg.substr(0, 300);
    EXPECT_LT(msg.size(), size_t(100) << 10);
    EXPECT_EQ(w.score({"r1_int_reward_func"}, {"p"}, {"<answer>7</answer>"}, {""}, {})[0], std::vector<float>{0.5f});  // still running
}

TEST(RewardSetConfig, NamesWeightsAndDefaults) {
    RewardSet defaults(RewardSetOptions{});
    EXPECT_EQ(defaults.names(), default_reward_function_names());
    EXPECT_EQ(defaults.weights(), std::vector<double>(5, 1.0));
    RewardBatch b = defaults.score({"p"}, {"<think> r </think> <answer> 4 </answer>"}, {"4"}, {});
    // accuracy 2 + int 0.5 + strict 0.5 + soft 0.5 + count_xml (no "<think>\n": 0.375)
    EXPECT_FLOAT_EQ(b.total[0], 2.0f + 0.5f + 0.5f + 0.5f + 0.375f);

    RewardSetOptions o;
    o.names = parse_reward_function_names("r1_accuracy_reward_func, r1_count_xml");
    for (float w : parse_reward_weights("[2.0, 0.5]")) o.weights.push_back(w);
    RewardSet two(o);
    b = two.score({"p"}, {"<answer>4</answer>"}, {"4"}, {});
    EXPECT_FLOAT_EQ(b.total[0], 2.0f * 2.0f + 0.5f * 0.25f);

    o.weights = {1.0};
    try {
        RewardSet bad(o);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.key, "reward_weights");
    }
    o.names = {"accuracy"};
    o.weights = {};
    try {
        RewardSet bad(o);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.key, "reward_functions");
        EXPECT_NE(std::string(e.what()).find("did you mean 'r1_accuracy_reward_func'"), std::string::npos) << e.what();
    }
}

TEST(RewardSetConfig, ParseWeights) {
    EXPECT_EQ(parse_reward_weights("[2.0, 0.5, 0.5]"), (std::vector<float>{2.0f, 0.5f, 0.5f}));
    EXPECT_EQ(parse_reward_weights("1,2"), (std::vector<float>{1.0f, 2.0f}));
    EXPECT_EQ(parse_reward_weights(" [] "), std::vector<float>{});
    EXPECT_EQ(parse_reward_weights(""), std::vector<float>{});
    EXPECT_THROW(parse_reward_weights("[2.0, x]"), InputError);
    EXPECT_THROW(parse_reward_weights("[2.0,,1]"), InputError);
    EXPECT_EQ(parse_reward_function_names(" a ,b,, c "), (std::vector<std::string>{"a", "b", "c"}));
}
