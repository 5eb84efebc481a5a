// Datasets → what the trainers consume (SPEC §5): prompts with answer/type for the online modes,
// token sequences with a prompt length for SFT; and the shuffled-epoch order of the training split.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "config/run_config.h"
#include "core/error.h"
#include "data/dataset.h"
#include "data/dataset_presets.h"
#include "train/session_impl.h"

namespace fs = std::filesystem;

namespace rf {

std::vector<size_t> Session::Impl::next_batch(size_t count) {
    return order->next_batch(count);
}

// ---- encoding ---------------------------------------------------------------------------------

std::vector<int> Session::Impl::encode_prompt(const std::vector<Message>& messages) const {
    return tok->encode(tmpl->render(messages, true, cfg.enable_thinking));
}

static std::vector<Message> with_system(const std::string& system, std::vector<Message> msgs) {
    if (!system.empty() && (msgs.empty() || msgs.front().role != "system")) msgs.insert(msgs.begin(), {"system", system});
    return msgs;
}

static void encode_split(Session::Impl& s, const std::vector<DatasetRow>& rows, SplitData& out) {
    const RunConfig& c = s.cfg;
    if (c.train_mode == TrainMode::sft) {
        for (const DatasetRow& r : rows) {
            SftSequence seq;
            if (!r.text.empty() && r.messages.empty() && r.prompt.empty()) {
                seq.ids = s.tok->encode(r.text, true);
                seq.prompt_len = 0;
            } else {
                std::vector<Message> msgs = r.messages;
                if (msgs.empty()) {
                    msgs = r.prompt;
                    msgs.push_back({"assistant", r.completion});
                }
                msgs = with_system(r.system, std::move(msgs));
                std::vector<Message> prompt(msgs.begin(), msgs.end() - 1);
                seq.ids = s.tok->encode(s.tmpl->render(msgs, false, c.enable_thinking));
                seq.prompt_len = int(s.tok->encode(s.tmpl->render(prompt, true, c.enable_thinking)).size());
            }
            out.seqs.push_back(std::move(seq));
        }
        return;
    }
    for (const DatasetRow& r : rows) {
        RlPrompt p;
        std::string system = !r.system.empty() ? r.system : c.system_prompt;
        p.ids = s.encode_prompt(with_system(system, r.prompt));
        p.prompt = r.prompt_text;
        p.answer = r.answer;
        p.type = r.type;
        out.prompts.push_back(std::move(p));
    }
}

// A relative data/model path is taken from the working directory, else from the config file's folder.
std::string resolve_relative(const std::string& path, const std::string& config_file) {
    if (path.empty() || fs::path(path).is_absolute() || fs::exists(path) || config_file.empty()) return path;
    fs::path alt = fs::path(config_file).parent_path() / path;
    return fs::exists(alt) ? alt.lexically_normal().string() : path;
}

void Session::Impl::load_data() {
    DatasetColumns cols = dataset_columns(cfg);
    DatasetKind kind = cfg.train_mode == TrainMode::sft ? DatasetKind::sft
                     : cfg.train_mode == TrainMode::grpo ? DatasetKind::grpo : DatasetKind::prompts;
    DatasetOpen how;
    how.select.config = cfg.dataset_config;
    how.select.train_split = cfg.train_split;
    how.select.valid_split = cfg.valid_split;
    how.select.progress = download_progress();
    how.valid_fraction = cfg.valid_fraction;
    how.seed = uint64_t(cfg.seed);
    std::vector<DatasetRow> tr, va, te;
    for (const std::string& d : cfg.data) {
        std::string path = resolve_relative(d, cfg.origin.file);
        DatasetColumns dcols = cols;
        DatasetOpen dhow = how;
        if (std::string note = apply_dataset_preset(path, dcols, dhow.select); !note.empty()) log(note);
        DatasetOptions opts;
        opts.skip_bad_rows = cfg.skip_bad_rows;
        DatasetSet set = open_dataset(path, dcols, kind, opts, dhow);
        size_t skipped = set.train.skipped() + set.valid.skipped() + set.test.skipped();
        if (skipped) {
            log("data: " + std::to_string(skipped) + " bad row" + (skipped == 1 ? " was" : "s were") + " left out (skip_bad_rows); first:");
            for (const auto* split : {&set.train, &set.valid, &set.test})
                for (size_t i = 0; i < split->problems().size() && i < 3; ++i) log("  " + split->problems()[i]);
        }
        std::string where = set.files.origin + (set.files.config.empty() ? "" : " (configuration " + set.files.config + ")");
        log("data: " + where + ": " + std::to_string(set.train.size()) + " train, " + std::to_string(set.valid.size()) + " valid, " +
            std::to_string(set.test.size()) + " test rows");
        if (set.carved_valid > 0)
            log("data: the dataset has no validation split: " + std::to_string(set.carved_valid) +
                " training row" + (set.carved_valid == 1 ? "" : "s") + " (valid_fraction " + get_value(cfg, "valid_fraction") + ", seed " + std::to_string(cfg.seed) +
                (set.carved_valid == 1 ? ") is" : ") are") + " held out as one");
        for (auto* split : {&set.train, &set.valid, &set.test}) {
            auto rows = all_rows(*split);
            auto& dst = split == &set.train ? tr : split == &set.valid ? va : te;
            dst.insert(dst.end(), rows.begin(), rows.end());
        }
    }
    if (tr.empty())
        throw InputError(cfg.origin.file, 0, "data", "the training split is empty",
                         "point data: at a folder with train.jsonl or at a .jsonl file");
    train.name = "train", valid.name = "valid", test.name = "test";
    encode_split(*this, tr, train);
    encode_split(*this, va, valid);
    encode_split(*this, te, test);
    order.emplace(train.size(), uint64_t(cfg.seed));
}

HubProgressFn Session::Impl::download_progress() {
    return [this](const HubProgress& p) {
        if (control && control->stop.load()) return false;
        return observer ? observer->on_download(p) : true;
    };
}

}  // namespace rf
