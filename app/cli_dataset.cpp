// reinforge-cli dataset ID_OR_PATH | CONFIG.yaml [--set key=value …] [--rows N]
// Shows a dataset as a run will see it (data/dataset_preview.h): its configurations, splits (files,
// row counts; a missing validation split and what the run holds out instead), columns with their
// types, and the first rows after column mapping and answer_pattern — the prompt as messages, and
// templated with the model's chat template when a CONFIG.yaml names a model. An HF id that is not
// cached is downloaded. Without a CONFIG.yaml the rows are read as GRPO reads them (--set
// train_mode=sft etc. to change).
#include <cstdio>

#include "cli_command.h"
#include "cli_progress.h"
#include "config/run_config.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "data/dataset_preview.h"
#include "io/hub_client.h"
#include "text/chat_template.h"

namespace {

int run_dataset(const std::vector<std::string>& args) {
    auto pos = rf::cli::positionals(args, {"--set", "--rows"});
    if (pos.size() != 1)
        throw rf::InputError({}, 0, "dataset", "expects one dataset (an HF id, a folder or a file) or a CONFIG.yaml",
                             "reinforge-cli dataset openai/gsm8k --set dataset_config=main");
    std::string rows_text = rf::cli::flag_value(args, "--rows", "3");
    if (rows_text.empty() || rows_text.find_first_not_of("0123456789") != std::string::npos || rows_text.size() > 6)
        throw rf::InputError({}, 0, "--rows", "expected a number of rows, got '" + rows_text + "'");
    const std::string& arg = pos[0];
    bool is_config = arg.ends_with(".yaml") || arg.ends_with(".yml");
    std::string yaml = is_config ? rf::read_file(arg) : "train_mode: grpo\n";
    rf::ParsedConfig parsed = rf::parse_run_config(yaml, is_config ? arg : "(command line)", rf::set_args(args));
    rf::RunConfig& cfg = parsed.config;
    if (!is_config) cfg.data = {arg};
    if (cfg.data.empty()) throw rf::InputError(arg, 0, "data", "the config names no dataset");

    rf::cli::DownloadBar bar;
    auto progress = [&](const rf::HubProgress& p) { return bar.update(p); };
    std::unique_ptr<rf::ChatTemplate> tpl;
    if (is_config && !cfg.model.empty())
        tpl = std::make_unique<rf::ChatTemplate>(rf::ChatTemplate::from_dir(rf::ensure_model(cfg.model, progress)));
    bar.finish();
    for (const std::string& data : cfg.data) {
        rf::DatasetPreview p = rf::preview_dataset(data, cfg, std::stoul(rows_text), progress);
        bar.finish();
        std::fputs(rf::preview_text(p, cfg, tpl.get()).c_str(), stdout);
    }
    return 0;
}

rf::cli::Register reg{"dataset", "show a dataset's configurations, splits, columns and first rows as a run sees them",
                      "dataset ID_OR_PATH | CONFIG.yaml [--set key=value ...] [--rows N]", &run_dataset};

}  // namespace
