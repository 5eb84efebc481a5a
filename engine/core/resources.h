// Where Reinforge's bundled resources are (the embedded default model, datasets, presets, the Python
// reward worker): an installed package keeps them in <prefix>/share/reinforge/, next to
// <prefix>/bin/reinforge[-cli]; a build tree uses the source tree's resources/ folder.
#pragma once
#include <string>

namespace rf {

// The first of: $REINFORGE_RESOURCES_DIR, <folder of this executable>/../share/reinforge,
// <source tree>/resources, that is a folder. Empty when none is.
std::string resources_dir();

// A bundled model or dataset named the way presets name them: "resources/models/NAME" (or
// "resources/datasets/NAME"), or a bare NAME of a folder in resources_dir()/models (datasets).
// `kind` is "model" or "dataset". Returns the folder, or "" when `name` is not a bundled one.
std::string bundled_resource(const std::string& name, const std::string& kind);

}  // namespace rf
