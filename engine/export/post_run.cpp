#include "export/post_run.h"

#include "config/run_config.h"
#include "export/fuse.h"
#include "export/gguf_export.h"
#include "model/model.h"

namespace rf {

bool wants_post_run(const RunConfig& cfg) {
    return cfg.fuse || !cfg.lm_studio_name.empty();
}

void post_run(const RunConfig& cfg, const std::string& run_dir, const std::function<void(const std::string&)>& log) {
    if (!wants_post_run(cfg)) return;
    std::string fused = fuse_run(run_dir, FuseOptions{});
    log("fused model written to " + fused);
    if (cfg.lm_studio_name.empty()) return;
    auto model = Model::load(fused);
    std::string path = lm_studio_gguf_path(cfg.lm_studio_name, GgufQuant::q8_0);
    GgufExportResult r = export_gguf(*model, fused, GgufQuant::q8_0, cfg.lm_studio_name, path);
    for (const auto& n : r.notes) log(n);
    log("LM Studio model written to " + r.path);
}

}  // namespace rf
