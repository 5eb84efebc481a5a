// The real RunFunction: one rf::Session per run (trainers/session.h), on the worker thread.
#include "bridge_controller.h"

namespace rf::bridge {

RunFunction sessionRunFunction() {
    return [](const RunConfig& cfg, RunObserver& observer, RunControl& control, HumanAsker* asker) {
        Session session(cfg, &observer, &control, asker);
        return session.run();
    };
}

}  // namespace rf::bridge
