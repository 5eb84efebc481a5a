// The real RunFunction: one rf::Session per run (train/session.h), on the worker thread.
#include "bridge_controller.h"
#include "export/post_run.h"

namespace rf::bridge {

RunFunction sessionRunFunction() {
    return [](const RunConfig& cfg, RunObserver& observer, RunControl& control, HumanAsker* asker) {
        Session session(cfg, &observer, &control, asker);
        bool finished = session.run();
        if (finished) post_run(session.config(), session.run_dir(), [&](const std::string& line) { observer.on_log(line); });
        return finished;
    };
}

}  // namespace rf::bridge
