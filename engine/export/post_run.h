// What happens after a finished run, outside the training loop: `fuse: true` writes <run>/fused (an
// HF folder in the base's dtype, or an MLX folder for a packed base with fuse_dequantize false), and
// `lm_studio_name` writes a Q8_0 GGUF of the fused model into the LM Studio models folder. The CLI
// and the GUI bridge call it when Session::run() returns true; training itself never exports.
#pragma once
#include <functional>
#include <string>

namespace rf {

struct RunConfig;

// True when the run's config asks for something after the run (fuse or an LM Studio export).
bool wants_post_run(const RunConfig& cfg);
// Does it; each line of progress goes to `log`. Checkpoints are never deleted. Throws InputError /
// std::runtime_error as fuse_run and export_gguf do.
void post_run(const RunConfig& cfg, const std::string& run_dir, const std::function<void(const std::string&)>& log);

}  // namespace rf
