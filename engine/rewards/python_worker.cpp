#include "rewards/python_worker.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <system_error>

#include "core/error.h"
#include "rewards/child_process.h"

namespace rf {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kWorkerScript = "reinforge_reward_worker.py";
// A reply is one JSON line: a score per completion and function (~20 bytes each), or an error whose
// message and traceback the worker clips to 2 KB and 64 KB. 16 MiB holds 800,000 scores; anything
// longer is not the protocol (a file writing into the worker's own socket) and stops the worker.
constexpr size_t kMaxReply = size_t(16) << 20;

bool holds_worker(const std::string& dir) { return ::access((dir + "/" + kWorkerScript).c_str(), R_OK) == 0; }

std::string seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g s", s);
    return buf;
}

// The line of `file` where the traceback points last (the innermost frame in the user's file).
int traceback_line(const std::string& tb, const std::string& file) {
    const std::string key = "File \"" + file + "\", line ";
    int line = 0;
    for (size_t pos = tb.find(key); pos != std::string::npos; pos = tb.find(key, pos + 1))
        line = std::atoi(tb.c_str() + pos + key.size());
    return line;
}

// The traceback from the first frame in the user's file (the worker's own frames are noise), or its
// last lines when the file does not appear.
std::string user_traceback(const std::string& tb, const std::string& file);

// The last lines of a traceback: enough to see where and why.
std::string traceback_tail(const std::string& tb, int lines = 6) {
    size_t end = tb.find_last_not_of('\n');
    if (end == std::string::npos) return {};
    size_t pos = end + 1;
    for (int n = 0; n < lines && pos > 0; ++n) {
        size_t nl = tb.rfind('\n', pos - 1);
        pos = nl == std::string::npos ? 0 : nl;
        if (nl == std::string::npos) break;
    }
    return tb.substr(pos == 0 ? 0 : pos + 1, end + 1 - (pos == 0 ? 0 : pos + 1));
}

std::string user_traceback(const std::string& tb, const std::string& file) {
    size_t pos = tb.find("File \"" + file + "\"");
    if (pos == std::string::npos) return traceback_tail(tb);
    size_t line_start = tb.rfind('\n', pos);
    std::string out = tb.substr(line_start == std::string::npos ? 0 : line_start + 1);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out.size() > 4000 ? traceback_tail(out, 12) : out;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

namespace {
// fail() for the free parsers: the key is the function (or the file), the message names the function.
[[noreturn]] void reply_error(const std::string& file, const std::string& function, const std::string& message,
                              const std::string& hint) {
    throw InputError(file, 0, function.empty() ? std::string("reward_functions_file") : function,
                     function.empty() ? message : "reward function '" + function + "' " + message, hint);
}
}  // namespace

WorkerHello parse_worker_hello(const std::string& line, const std::string& file) {
    WorkerHello out;
    json hello = json::parse(line, nullptr, false);
    if (hello.is_discarded() || !hello.is_object())
        reply_error(file, "", "the reward worker answered '" + line.substr(0, 200) + "' instead of a JSON object", "");
    try {
        if (!hello.value("ok", false)) {
            std::string tb = hello.value("traceback", std::string());
            std::string err = hello.value("error", std::string("unknown error"));
            throw InputError(file, traceback_line(tb, file), "reward_functions_file", "importing the file failed: " + err,
                             tb.empty() ? std::string("fix the file") : "traceback:\n" + user_traceback(tb, file));
        }
        for (const json& n : hello.value("registered", json::array())) out.registered.push_back(n.get<std::string>());
        for (const json& n : hello.value("available", json::array())) out.available.push_back(n.get<std::string>());
        out.python = hello.value("python", std::string());
    } catch (const json::exception& e) {
        reply_error(file, "", "the reward worker's first reply is malformed: " + std::string(e.what()), "");
    }
    return out;
}

std::vector<std::vector<float>> parse_score_reply(const std::string& line, const std::vector<std::string>& names, size_t n,
                                                  const std::string& file) {
    const std::string what = names.size() == 1 ? names[0] : std::string();
    json reply = json::parse(line, nullptr, false);
    if (reply.is_discarded() || !reply.is_object())
        reply_error(file, what, "produced an unreadable worker reply '" + line.substr(0, 200) + "'", "");
    std::vector<std::vector<float>> out;
    try {
        if (!reply.value("ok", false)) {
            std::string fn = reply.value("function", what);
            std::string tb = reply.value("traceback", std::string());
            std::string err = reply.value("error", std::string("failed"));
            throw InputError(file, traceback_line(tb, file), fn.empty() ? "reward_functions_file" : fn,
                             "reward function '" + fn + "' " + err,
                             tb.empty() ? std::string("it must return one number (or None) per completion")
                                        : "traceback:\n" + user_traceback(tb, file));
        }
        const json& scores = reply.at("scores");
        if (!scores.is_object()) reply_error(file, what, "produced a worker reply whose scores are not an object", "");
        for (const std::string& name : names) {
            if (!scores.contains(name)) reply_error(file, name, "is missing from the worker's reply", "");
            const json& col = scores[name];
            if (!col.is_array() || col.size() != n)
                reply_error(file, name, "returned " + std::to_string(col.is_array() ? col.size() : 0) + " values for " +
                                            std::to_string(n) + " completions", "return one number (or None) per completion");
            std::vector<float> v(n);
            for (size_t i = 0; i < n; ++i) {
                if (col[i].is_null()) {
                    v[i] = std::numeric_limits<float>::quiet_NaN();
                } else if (col[i].is_number()) {
                    double d = col[i].get<double>();
                    if (!std::isfinite(d) || std::fabs(d) > double(std::numeric_limits<float>::max()))
                        reply_error(file, name, "returned " + std::to_string(d) + " for completion " + std::to_string(i) +
                                                    ", outside the float range", "return finite rewards");
                    v[i] = float(d);
                } else {
                    reply_error(file, name, "returned a non-number for completion " + std::to_string(i), "");
                }
            }
            out.push_back(std::move(v));
        }
    } catch (const json::exception& e) {
        reply_error(file, what, "produced a malformed worker reply: " + std::string(e.what()), "");
    }
    return out;
}

std::string python_shim_dir() {
    if (const char* env = std::getenv("REINFORGE_PYTHON_DIR"); env && *env) {
        if (holds_worker(env)) return env;
        throw InputError(env, 0, "REINFORGE_PYTHON_DIR", std::string("does not hold ") + kWorkerScript,
                         "point it at Reinforge's resources/python folder, or unset it");
    }
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        for (const fs::path& cand : {exe.parent_path() / ".." / "share" / "reinforge" / "python",
                                     exe.parent_path() / "resources" / "python"})
            if (holds_worker(cand.string())) return fs::weakly_canonical(cand, ec).string();
    }
    const std::string src = std::string(REINFORGE_SOURCE_DIR) + "/resources/python";
    if (holds_worker(src)) return src;
    throw InputError(src, 0, "reward_functions_file", std::string("cannot find the reward worker ") + kWorkerScript,
                     "reinstall Reinforge, or set REINFORGE_PYTHON_DIR to its resources/python folder");
}

PythonRewardWorker::PythonRewardWorker(std::string file, PythonWorkerOptions options)
    : m_options(std::move(options)) {
    std::error_code ec;
    fs::path abs = fs::absolute(file, ec);
    m_file = ec ? file : abs.lexically_normal().string();
    if (::access(m_file.c_str(), R_OK) != 0 || fs::is_directory(m_file, ec))
        throw InputError(m_file, 0, "reward_functions_file", "cannot read the reward functions file",
                         "check the path (relative paths are relative to the working directory)");
    if (!(m_options.timeout_s > 0)) m_options.timeout_s = 30.0;
    const std::string shim = m_options.shim_dir.empty() ? python_shim_dir() : m_options.shim_dir;

    std::string pythonpath = shim;
    if (const char* old = std::getenv("PYTHONPATH"); old && *old) pythonpath += std::string(":") + old;
    try {
        m_child = std::make_unique<ChildProcess>(
            std::vector<std::string>{m_options.python, "-u", shim + "/" + kWorkerScript, m_file},
            std::vector<std::pair<std::string, std::string>>{{"PYTHONPATH", pythonpath},
                                                             {"PYTHONDONTWRITEBYTECODE", "1"},
                                                             {"PYTHONUNBUFFERED", "1"},
                                                             {"PYTHONIOENCODING", "utf-8"}});
    } catch (const std::system_error& e) {
        if (e.code().value() == ENOENT)
            throw InputError(m_file, 0, "reward_functions_file",
                             "cannot run the Python interpreter '" + m_options.python + "': not found",
                             "install python3 (Debian: apt-get install python3); reward functions files run in it");
        throw InputError(m_file, 0, "reward_functions_file",
                         "cannot start '" + m_options.python + "': " + e.what(), "check the interpreter");
    }
    if (m_options.forward_output) {
        m_child->on_stderr_line = [this](std::string_view line) {
            if (m_forwarded + line.size() > m_options.max_forwarded_bytes) {
                m_not_forwarded += line.size() + 1;
                return;
            }
            m_forwarded += line.size() + 1;
            std::fprintf(stderr, "[reward file] %.*s\n", int(line.size()), line.data());
        };
    }

    std::string line = read_reply("", m_options.timeout_s);
    WorkerHello hello = parse_worker_hello(line, m_file);
    m_registered = std::move(hello.registered);
    m_available = std::move(hello.available);
    m_python_version = std::move(hello.python);
}

PythonRewardWorker::~PythonRewardWorker() = default;

int PythonRewardWorker::pid() const { return m_child ? int(m_child->pid()) : -1; }

void PythonRewardWorker::fail(const std::string& function, const std::string& message, const std::string& hint) {
    const std::string where = function.empty() ? std::string("reward_functions_file") : function;
    throw InputError(m_file, 0, where, function.empty() ? message : "reward function '" + function + "' " + message, hint);
}

std::string PythonRewardWorker::read_reply(const std::string& function, double timeout_s) {
    if (!m_child) fail(function, "cannot run: the reward worker was stopped after an earlier failure", "");
    auto deadline = ChildProcess::Clock::now() + std::chrono::duration_cast<ChildProcess::Clock::duration>(
                                                      std::chrono::duration<double>(timeout_s));
    std::string line;
    m_forwarded = m_not_forwarded = 0;
    const ChildProcess::Io io = m_child->read_line(&line, deadline, kMaxReply);
    if (m_not_forwarded > 0)
        std::fprintf(stderr, "[reward file] ... %zu more bytes of output not shown (at most %zu per call)\n",
                     m_not_forwarded, m_options.max_forwarded_bytes);
    switch (io) {
        case ChildProcess::Io::ok: return line;
        case ChildProcess::Io::timeout: {
            m_child->kill();
            m_child.reset();
            fail(function,
                 (function.empty() ? std::string("did not finish importing") : std::string("did not return")) +
                     " within " + seconds(timeout_s) + "; the reward worker was stopped",
                 "look for an endless loop or a blocking call; a slow function needs a longer reward timeout");
        }
        case ChildProcess::Io::too_long:
            m_child->kill();
            m_child.reset();
            fail(function, "sent a reply line longer than " + std::to_string(kMaxReply >> 20) +
                               " MiB; the reward worker was stopped",
                 "the file must not write to the worker's stdin/stdout sockets itself (print() output is fine)");
        case ChildProcess::Io::closed: break;
    }
    std::string st = m_child->status();
    std::string tail = m_child->stderr_tail();
    m_child.reset();
    fail(function, "stopped: the python worker " + st,
         tail.empty() ? std::string("run the file with python3 to see what happens") : "its last output:\n" + traceback_tail(tail, 8));
}

std::vector<std::vector<float>> PythonRewardWorker::score(const std::vector<std::string>& names, const Strings& prompts,
                                                          const Strings& completions, const Strings& answers,
                                                          const Strings& types) {
    std::lock_guard<std::mutex> lock(m_mu);
    const std::string what = names.size() == 1 ? names[0] : std::string();
    const size_t n = completions.size();
    json req;
    req["op"] = "score";
    req["names"] = names;
    req["prompts"] = prompts;
    req["completions"] = completions;
    req["answers"] = answers;
    json t = json::array();
    for (size_t i = 0; i < n; ++i) t.push_back(i < types.size() && !types[i].empty() ? json(types[i]) : json(nullptr));
    req["types"] = std::move(t);
    if (!m_child) fail(what, "cannot run: the reward worker was stopped after an earlier failure", "");
    auto deadline = ChildProcess::Clock::now() + std::chrono::duration_cast<ChildProcess::Clock::duration>(
                                                      std::chrono::duration<double>(m_options.timeout_s));
    if (m_child->write_all(dump(req) + "\n", deadline) != ChildProcess::Io::ok) {
        std::string st = m_child->status();
        std::string tail = m_child->stderr_tail();
        m_child->kill();
        m_child.reset();
        fail(what, "could not be called: the python worker " + st, tail.empty() ? "" : "its last output:\n" + traceback_tail(tail, 8));
    }
    std::string line = read_reply(what, m_options.timeout_s);
    return parse_score_reply(line, names, n, m_file);
}

}  // namespace rf
