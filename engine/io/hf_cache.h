// Finding models and datasets on this machine, never downloading: a local folder, a Hugging Face id
// in the local HF cache, or an LM Studio models folder.
//
// HF cache layout (huggingface_hub file_download.py):
//   <hub>/models--ORG--NAME/refs/main                 commit hash of the "main" branch
//   <hub>/models--ORG--NAME/snapshots/<hash>/...      the files of that revision
//   <hub>/datasets--ORG--NAME/...                     the same for datasets
// <hub> = $HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else
// ~/.cache/huggingface/hub.
#pragma once
#include <string>
#include <vector>

namespace rf {

// HF repo ids: [ORG/]NAME of letters, digits, '-', '_', '.'; no "--" or ".." (huggingface_hub
// validate_repo_id), so the cache folder name is unambiguous.
bool valid_repo_id(const std::string& id);

// The HF hub cache folder per the environment (it may not exist).
std::string hf_hub_cache_dir();
// LM Studio's model folders (~/.lmstudio/models, ~/.cache/lm-studio/models); they may not exist.
std::vector<std::string> lmstudio_model_dirs();

// An existing folder is returned as is. Otherwise `ORG/NAME` (or `NAME`, optionally `@REVISION`, a
// branch in refs/ or a snapshot hash) is looked up in the HF cache (refs/main when present, else the
// newest snapshot), then in the LM Studio folders (`<dir>/ORG/NAME`). Throws InputError naming every
// folder it looked in when the model is absent.
std::string resolve_model_dir(const std::string& id_or_path);
// Same for datasets (`datasets--ORG--NAME` in the HF cache; no LM Studio lookup).
std::string resolve_dataset_dir(const std::string& id_or_path);

struct CachedModel {
    std::string id;      // what resolve_model_dir accepts: "Qwen/Qwen3-0.6B", or the folder for LM Studio
    std::string path;    // the resolved folder (holds config.json)
    std::string source;  // "hf" | "lmstudio"
};
// Models with a config.json in the HF cache and the LM Studio folders (GGUF-only ones are skipped:
// they cannot be trained), sorted by id.
std::vector<CachedModel> list_cached_model_entries();
// The ids of list_cached_model_entries(), for the GUI's model picker.
std::vector<std::string> list_cached_models();

}  // namespace rf
