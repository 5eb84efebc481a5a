// model.safetensors.index.json: WeightStore::open_dir on a folder holding the input as the index and
// one small valid shard (model-00001-of-00001.safetensors with tensors "a" and "b") either opens (and
// then every tensor it lists reads cleanly) or throws InputError.
#pragma once
#include <filesystem>

#include "core/error.h"
#include "io/safetensors.h"
#include "fuzz_util.h"

namespace rf_fuzz {

inline const std::string& index_model_dir() {
    static const std::string dir = [] {
        std::string d = scratch_dir() + "/indexed";
        std::filesystem::create_directories(d);
        std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {7, 8};
        rf::write_safetensors(d + "/model-00001-of-00001.safetensors",
                              {{"a", {2, 3}, a.data()}, {"b", {2}, b.data()}});
        return d;
    }();
    return dir;
}

inline void safetensors_index(const uint8_t* data, size_t size) {
    const std::string& dir = index_model_dir();
    write_scratch("indexed/model.safetensors.index.json", text_of(data, size));
    try {
        rf::WeightStore ws = rf::WeightStore::open_dir(dir);
        for (const std::string& name : {std::string("a"), std::string("b")})
            if (const rf::TensorInfo* t = ws.find(name)) {
                std::vector<float> out(size_t(t->numel()));
                ws.read_f32(name, out.data(), t->shape);
            }
    } catch (const rf::InputError&) {
    }
}

}  // namespace rf_fuzz
