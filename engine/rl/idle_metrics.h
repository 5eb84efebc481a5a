// Charts that cannot move in a configuration say why instead of drawing a flat line: the engine
// knows which metrics a run's settings pin (clipping without sample reuse, KL without a penalty).
#pragma once
#include <string>

#include "rl/metrics.h"

namespace rf {

struct RunConfig;

// A one-line reason why the metrics of `g` stay put under `cfg`, or "" when they can move.
std::string idle_group_note(MetricGroup g, const RunConfig& cfg);

}  // namespace rf
