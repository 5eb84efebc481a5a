// A model's weights over one or several safetensors files. Layouts, in the order they are tried:
//   <dir>/model.safetensors.index.json  {"metadata": {...}, "weight_map": {tensor: shard file}}
//   <dir>/model.safetensors
//   <dir>/model*.safetensors            (what mlx-lm's loader globs; e.g. MLX conversions)
#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "io/safetensors.h"

namespace rf {

namespace fs = std::filesystem;

static std::string shape_str(const std::vector<int64_t>& s) {
    std::string r = "[";
    for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
    return r + "]";
}

WeightStore WeightStore::open_dir(const std::string& dir) {
    WeightStore ws;
    ws.m_dir = dir;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw InputError(dir, 0, {}, "not a folder", "point at a model folder holding config.json and *.safetensors");
    auto add_file = [&](const std::string& path) -> const SafetensorsFile* {
        ws.m_files.push_back(std::shared_ptr<SafetensorsFile>(SafetensorsFile::open(path)));
        return ws.m_files.back().get();
    };
    const std::string index_path = (fs::path(dir) / "model.safetensors.index.json").string();
    if (fs::exists(index_path, ec)) {
        nlohmann::json idx = nlohmann::json::parse(read_file(index_path), nullptr, false);
        if (idx.is_discarded() || !idx.is_object()) throw InputError(index_path, 0, {}, "not a JSON object", "the index file is damaged");
        auto wm = idx.find("weight_map");
        if (wm == idx.end() || !wm->is_object()) throw InputError(index_path, 0, "weight_map", "missing object {tensor name: shard file}");
        std::map<std::string, const SafetensorsFile*> shards;
        for (auto it = wm->begin(); it != wm->end(); ++it) {
            if (!it.value().is_string()) throw InputError(index_path, 0, "weight_map." + it.key(), "must be a file name string");
            std::string shard = it.value().get<std::string>();
            fs::path sp(shard);
            if (shard.empty() || sp.is_absolute() || sp.has_parent_path() || shard == "." || shard == "..")
                throw InputError(index_path, 0, "weight_map." + it.key(), "shard '" + shard + "' must be a plain file name inside the model folder");
            auto s = shards.find(shard);
            if (s == shards.end()) s = shards.emplace(shard, add_file((fs::path(dir) / sp).string())).first;
            const TensorInfo* t = s->second->find(it.key());
            if (!t) throw InputError(s->second->path(), 0, it.key(), "tensor listed in model.safetensors.index.json is absent from this shard", "the download is incomplete or the index is stale");
            ws.m_index[it.key()] = {s->second, t};
        }
        if (ws.m_index.empty()) throw InputError(index_path, 0, "weight_map", "is empty");
        return ws;
    }
    std::vector<std::string> files;
    const std::string single = (fs::path(dir) / "model.safetensors").string();
    if (fs::exists(single, ec)) {
        files.push_back(single);
    } else {
        for (auto& e : fs::directory_iterator(dir, ec)) {
            std::string fn = e.path().filename().string();
            if (fn.rfind("model", 0) == 0 && fn.size() > 12 && fn.substr(fn.size() - 12) == ".safetensors") files.push_back(e.path().string());
        }
        std::sort(files.begin(), files.end());
    }
    if (files.empty())
        throw InputError(dir, 0, {}, "no weights found: looked for model.safetensors.index.json, model.safetensors and model*.safetensors",
                         "is this a Hugging Face model folder?");
    for (const std::string& p : files) {
        const SafetensorsFile* f = add_file(p);
        for (const TensorInfo& t : f->tensors()) {
            auto [it, inserted] = ws.m_index.emplace(t.name, std::make_pair(f, &t));
            if (!inserted) throw InputError(p, 0, t.name, "tensor also present in " + it->second.first->path(), "remove the duplicate file");
        }
    }
    return ws;
}

const TensorInfo* WeightStore::find(const std::string& name) const {
    auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : it->second.second;
}

const SafetensorsFile* WeightStore::file_of(const std::string& name) const {
    auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : it->second.first;
}

std::vector<std::string> WeightStore::names() const {
    std::vector<std::string> r;
    r.reserve(m_index.size());
    for (auto& [k, v] : m_index) r.push_back(k);
    return r;
}

void WeightStore::read_f32(const std::string& name, float* dst, const std::vector<int64_t>& expected_shape) const {
    auto it = m_index.find(name);
    if (it == m_index.end()) throw InputError(m_dir, 0, name, "tensor not found in the model's safetensors files", "does config.json match these weights?");
    const auto& [file, t] = it->second;
    if (t->shape != expected_shape)
        throw InputError(file->path(), 0, name, "shape " + shape_str(t->shape) + " but the config implies " + shape_str(expected_shape), "does config.json match these weights?");
    file->read_f32(*t, dst);
}

}  // namespace rf
