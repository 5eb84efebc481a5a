// The MPI RunFunction (bridge_mpi_run.h).
#include "bridge_mpi_run.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unistd.h>

#include "core/atomic_file.h"

namespace rf::bridge {

namespace {

// A path of the config as `train` resolves it: from the working directory when it exists there,
// else from the config file's folder (engine/train/session.cpp), made absolute so the ranks find it.
std::string absolute_path(const std::string& path, const std::string& config_file) {
    if (path.empty() || path.rfind("http://", 0) == 0 || path.rfind("https://", 0) == 0) return path;
    QFileInfo here(QString::fromStdString(path));
    if (here.isAbsolute()) return path;
    if (here.exists()) return here.absoluteFilePath().toStdString();
    if (!config_file.empty()) {
        QFileInfo beside(QFileInfo(QString::fromStdString(config_file)).absoluteDir(), QString::fromStdString(path));
        if (beside.exists()) return beside.absoluteFilePath().toStdString();
    }
    return path;  // a Hugging Face id, or a path that does not exist (the ranks report it)
}

RunConfig launch_config(RunConfig cfg) {
    const std::string& origin = cfg.origin.file;
    cfg.model = absolute_path(cfg.model, origin);
    for (auto& d : cfg.data) d = absolute_path(d, origin);
    cfg.reward_functions_file = absolute_path(cfg.reward_functions_file, origin);
    cfg.reference_model_path = absolute_path(cfg.reference_model_path, origin);
    cfg.resume_adapter_file = absolute_path(cfg.resume_adapter_file, origin);
    if (judge_kind(cfg.judge) == JudgeKind::model) cfg.judge = absolute_path(cfg.judge, origin);
    cfg.output_dir = QFileInfo(QString::fromStdString(cfg.output_dir)).absoluteFilePath().toStdString();
    cfg.adapter_path = QFileInfo(QString::fromStdString(cfg.adapter_path)).absoluteFilePath().toStdString();
    return cfg;
}

// Reads the lines appended to a file since the last call (a partial last line waits).
class Tail {
public:
    explicit Tail(std::string path) : m_path(std::move(path)) {}
    template <class F>
    void poll(F&& on_line) {
        std::ifstream f(m_path, std::ios::binary);
        if (!f) return;
        f.seekg(std::streamoff(m_offset));
        std::string chunk((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        size_t start = 0, nl;
        while ((nl = chunk.find('\n', start)) != std::string::npos) {
            on_line(chunk.substr(start, nl - start));
            start = nl + 1;
        }
        m_offset += start;
    }

private:
    std::string m_path;
    size_t m_offset = 0;
};

// One metrics.jsonl row → the observer (train: on_metrics; val/test: on_eval).
void forward_metrics(const std::string& line, RunObserver& observer) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("step")) return;
    StepMetrics m;
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.value().is_number() && it.key() != "step") m.push_back({it.key(), it.value().get<double>()});
    const int step = j["step"].get<int>();
    if (j.value("phase", std::string("train")) == "train") observer.on_metrics(step, m);
    else observer.on_eval(step, m);
}

}  // namespace

std::string siblingCli() {
    const QString dir = QCoreApplication::instance() ? QCoreApplication::applicationDirPath() : QString();
    const QString beside = dir + "/reinforge-cli";
    return !dir.isEmpty() && QFileInfo(beside).isExecutable() ? beside.toStdString() : std::string("reinforge-cli");
}

RunFunction mpiRunFunction(MpiLaunch launch) {
    return [launch](const RunConfig& given, RunObserver& observer, RunControl& control, HumanAsker*) {
        const RunConfig cfg = launch_config(given);
        QDir().mkpath(QString::fromStdString(cfg.output_dir));
        const std::string yaml = cfg.output_dir + "/launch.yaml";
        write_file_atomic(yaml, to_yaml(cfg));

        QStringList args = {"-np", QString::number(launch.processes)};
        if (launch.hostfile.empty()) args << "--oversubscribe";
        else args << "--hostfile" << QString::fromStdString(launch.hostfile);
        args << QString::fromStdString(launch.cli.empty() ? siblingCli() : launch.cli) << "train" << QString::fromStdString(yaml);
        QProcess mpirun;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (geteuid() == 0) env.insert("OMPI_ALLOW_RUN_AS_ROOT", "1"), env.insert("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        mpirun.setProcessEnvironment(env);
        mpirun.setProcessChannelMode(QProcess::MergedChannels);
        mpirun.setStandardInputFile(QProcess::nullDevice());
        observer.on_log("launching: " + launch.mpirun + " " + args.join(' ').toStdString());
        mpirun.start(QString::fromStdString(launch.mpirun), args);
        if (!mpirun.waitForStarted(10000))
            throw std::runtime_error("cannot start " + launch.mpirun + ": " + mpirun.errorString().toStdString() +
                                     " (Debian: apt install openmpi-bin)");

        Tail metrics(cfg.output_dir + "/metrics.jsonl");
        std::string pending, last_lines;
        bool started = false, done = false, stop_sent = false, pause_said = false;
        auto read_output = [&] {
            pending += mpirun.readAll().toStdString();
            size_t nl;
            while ((nl = pending.find_first_of("\r\n")) != std::string::npos) {
                std::string line = pending.substr(0, nl);
                pending.erase(0, nl + 1);
                if (line.empty()) continue;
                if (line.rfind("\033[K", 0) == 0) line.erase(0, 3);
                last_lines = (last_lines.size() > 4000 ? last_lines.substr(last_lines.size() - 2000) : last_lines) + line + "\n";
                if (line.rfind("run folder: ", 0) == 0 && !started) {
                    observer.on_start(line.substr(12), 0, cfg.iters > 0 ? cfg.iters : 0);
                    started = true;
                }
                if (line.rfind("done: ", 0) == 0) done = true;
                if (line.rfind("step ", 0) != 0) observer.on_log(line);  // the charts show the steps
            }
        };
        while (!mpirun.waitForFinished(200)) {
            read_output();
            metrics.poll([&](const std::string& line) { forward_metrics(line, observer); });
            if (control.stop.load() && !stop_sent) {
                // SIGUSR1 reaches every rank as it is (SIGINT would be a SIGTERM and, 1 s later, a
                // SIGKILL): they agree on the stop after the current step and rank 0 checkpoints
                ::kill(pid_t(mpirun.processId()), SIGUSR1);
                stop_sent = true;
            }
            if (control.pause.load() && !pause_said) {
                observer.on_log("pause is not available for a run on MPI; Stop saves a checkpoint, Resume continues it");
                pause_said = true;
            }
        }
        read_output();
        metrics.poll([&](const std::string& line) { forward_metrics(line, observer); });
        if (stop_sent) return false;
        if (mpirun.exitStatus() != QProcess::NormalExit || mpirun.exitCode() != 0)
            throw std::runtime_error("mpirun exited with code " + std::to_string(mpirun.exitCode()) + ":\n" + last_lines);
        return done;
    };
}

}  // namespace rf::bridge
