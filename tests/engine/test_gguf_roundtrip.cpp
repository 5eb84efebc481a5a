// GGUF files written by export_gguf, read back by an independent parser: Hugging Face's
// @huggingface/gguf (npm, run with node through tests/reference/gguf_read.mjs, which also decodes
// F32/F16/Q8_0 data from the ggml block layout). Checked: every metadata key with its GGUF type and
// value, the keys llama.cpp requires, every tensor name (llama.cpp's names, mapped here from the HF
// names by a table of this test), shape (ne order), ggml type, alignment, and the data: F32 exact,
// F16 = RNE half of the weight, Q8_0 within the format's error; llama's q/k rows permuted.
// The npm package is fetched into the build tree (REINFORGE_TEST_CACHE); the tests skip only when npm
// cannot reach the registry.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/rng.h"
#include "export/gguf_export.h"
#include "io/safetensors.h"
#include "model/model.h"

namespace fs = std::filesystem;
using namespace rf;
using nlohmann::json;

namespace {

const std::string kFixtures = REINFORGE_FIXTURES;
const std::string kSpDir = kFixtures + "/export/sp-tiny";
const std::string kReaderDir = std::string(REINFORGE_TEST_CACHE) + "/gguf-reader";

bool fetch_reader() {
    static int rc = std::system(("bash '" + std::string(REINFORGE_SOURCE_DIR) + "/tests/reference/fetch_gguf_reader.sh' '" +
                                 kReaderDir + "'")
                                    .c_str());
    return rc == 0;
}

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "rf-ggufrt-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

struct ReadBack {
    json meta;                       // key -> {type, subType?, value}
    json tensors;                    // [{name, shape, dtype, offset}]
    std::map<std::string, std::vector<float>> data;
    uint64_t data_offset = 0, file_size = 0;
};

ReadBack read_back(const std::string& gguf, const fs::path& tmp) {
    const std::string out = (tmp / "readback").string();
    const std::string cmd = "node '" + std::string(REINFORGE_SOURCE_DIR) + "/tests/reference/gguf_read.mjs' '" + kReaderDir +
                            "' '" + gguf + "' '" + out + "'";
    const int rc = std::system(cmd.c_str());
    if (rc != 0) throw std::runtime_error("the GGUF reader failed (" + std::to_string(rc) + "): " + cmd);
    json j = json::parse(read_file(out + ".json"));
    const std::string raw = read_file(out + ".f32");
    ReadBack r;
    r.meta = j["metadata"];
    r.tensors = j["tensors"];
    r.data_offset = j["tensor_data_offset"];
    r.file_size = j["file_size"];
    size_t at = 0;
    for (const json& t : r.tensors) {
        size_t n = 1;
        for (const json& d : t["shape"]) n *= d.get<size_t>();
        std::vector<float> v(n);
        if (at + n * 4 > raw.size()) throw std::runtime_error("short data dump");
        std::memcpy(v.data(), raw.data() + at, n * 4);
        at += n * 4;
        r.data[t["name"]] = std::move(v);
    }
    return r;
}

// llama.cpp's tensor names for the HF names (gguf-py/gguf/tensor_mapping.py, constants.py)
std::string gguf_name(const std::string& hf) {
    static const std::vector<std::pair<std::string, std::string>> kBlock = {
        {"input_layernorm.weight", "attn_norm.weight"},          {"self_attn.q_proj.weight", "attn_q.weight"},
        {"self_attn.q_proj.bias", "attn_q.bias"},                {"self_attn.k_proj.weight", "attn_k.weight"},
        {"self_attn.k_proj.bias", "attn_k.bias"},                {"self_attn.v_proj.weight", "attn_v.weight"},
        {"self_attn.v_proj.bias", "attn_v.bias"},                {"self_attn.o_proj.weight", "attn_output.weight"},
        {"self_attn.q_norm.weight", "attn_q_norm.weight"},       {"self_attn.k_norm.weight", "attn_k_norm.weight"},
        {"post_attention_layernorm.weight", "ffn_norm.weight"},  {"mlp.gate_proj.weight", "ffn_gate.weight"},
        {"mlp.up_proj.weight", "ffn_up.weight"},                 {"mlp.down_proj.weight", "ffn_down.weight"}};
    if (hf == "model.embed_tokens.weight") return "token_embd.weight";
    if (hf == "model.norm.weight") return "output_norm.weight";
    if (hf == "lm_head.weight") return "output.weight";
    const std::string pre = "model.layers.";
    if (hf.rfind(pre, 0) == 0) {
        const size_t dot = hf.find('.', pre.size());
        const std::string l = hf.substr(pre.size(), dot - pre.size()), rest = hf.substr(dot + 1);
        for (auto& [a, b] : kBlock)
            if (rest == a) return "blk." + l + "." + b;
    }
    return "?" + hf;
}

// numpy: w.reshape(n_head, 2, hd/2, *rest).swapaxes(1, 2).reshape(w.shape)  (convert_hf_to_gguf.py)
std::vector<float> permute_like_numpy(const float* w, int n_head, int rows, int cols) {
    const int hd = rows / n_head;
    std::vector<float> out(size_t(rows) * cols);
    for (int h = 0; h < n_head; ++h)
        for (int two = 0; two < 2; ++two)
            for (int j = 0; j < hd / 2; ++j) {
                const size_t src = (size_t(h) * 2 + two) * (hd / 2) + j;   // index in [n_head, 2, hd/2]
                const size_t dst = (size_t(h) * (hd / 2) + j) * 2 + two;   // index in [n_head, hd/2, 2]
                std::memcpy(&out[dst * cols], w + src * cols, sizeof(float) * cols);
            }
    return out;
}

enum : int { kU32 = 4, kI32 = 5, kF32 = 6, kBool = 7, kStr = 8, kArr = 9 };

// Keys llama.cpp reads for these architectures, with the GGUF type it insists on
// (llama-model-loader get_key / get_arr; gguf-py GGUFWriter.add_* types).
std::vector<std::tuple<std::string, int, int>> required_keys(const std::string& a, bool sp) {
    std::vector<std::tuple<std::string, int, int>> k = {
        {"general.architecture", kStr, -1},           {"general.file_type", kU32, -1},
        {a + ".context_length", kU32, -1},            {a + ".embedding_length", kU32, -1},
        {a + ".block_count", kU32, -1},               {a + ".feed_forward_length", kU32, -1},
        {a + ".attention.head_count", kU32, -1},      {a + ".attention.head_count_kv", kU32, -1},
        {a + ".attention.key_length", kU32, -1},      {a + ".attention.value_length", kU32, -1},
        {a + ".attention.layer_norm_rms_epsilon", kF32, -1}, {a + ".rope.freq_base", kF32, -1},
        {"tokenizer.ggml.model", kStr, -1},           {"tokenizer.ggml.pre", kStr, -1},
        {"tokenizer.ggml.tokens", kArr, kStr},        {"tokenizer.ggml.token_type", kArr, kI32},
        {"tokenizer.ggml.eos_token_id", kU32, -1},    {"tokenizer.ggml.add_bos_token", kBool, -1},
        {"tokenizer.chat_template", kStr, -1}};
    if (sp) k.push_back({"tokenizer.ggml.scores", kArr, kF32});
    else k.push_back({"tokenizer.ggml.merges", kArr, kStr});
    return k;
}

std::unique_ptr<Model> noisy_model(const std::string& arch, int vocab, uint64_t seed) {
    ModelConfig c = ModelConfig::from_dir(kFixtures + "/model/" + arch);
    c.vocab_size = vocab;
    auto m = Model::random_init(c, seed);
    Rng rng(seed + 1);  // norms and biases away from 1 and 0, a few large values
    for (float& x : m->base_params()) x += 0.1f * (2.0f * rng.uniform() - 1.0f);
    m->base_params()[5] = 3.0f;
    return m;
}

void check_value(const std::string& key, const GgufValue& v, const json& got) {
    ASSERT_TRUE(got.is_object()) << key << " not read back";
    EXPECT_EQ(got["type"].get<int>(), int(v.type)) << key;
    const json& val = got["value"];
    switch (v.type) {
        case GgufValueType::u32: EXPECT_EQ(val.get<uint64_t>(), std::get<uint64_t>(v.v)) << key; break;
        case GgufValueType::i32: EXPECT_EQ(val.get<int64_t>(), std::get<int64_t>(v.v)) << key; break;
        case GgufValueType::f32: EXPECT_EQ(float(val.get<double>()), float(std::get<double>(v.v))) << key; break;
        case GgufValueType::boolean: EXPECT_EQ(val.get<bool>(), std::get<bool>(v.v)) << key; break;
        case GgufValueType::string: EXPECT_EQ(val.get<std::string>(), std::get<std::string>(v.v)) << key; break;
        case GgufValueType::array: {
            EXPECT_EQ(got["subType"].get<int>(), int(v.elem)) << key;
            if (v.elem == GgufValueType::string) {
                const auto& a = std::get<std::vector<std::string>>(v.v);
                ASSERT_EQ(val.size(), a.size()) << key;
                for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(val[i].get<std::string>(), a[i]) << key << "[" << i << "]";
            } else if (v.elem == GgufValueType::i32) {
                const auto& a = std::get<std::vector<int32_t>>(v.v);
                ASSERT_EQ(val.size(), a.size()) << key;
                for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(val[i].get<int64_t>(), a[i]) << key << "[" << i << "]";
            } else {
                const auto& a = std::get<std::vector<float>>(v.v);
                ASSERT_EQ(val.size(), a.size()) << key;
                for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(float(val[i].get<double>()), a[i]) << key << "[" << i << "]";
            }
            break;
        }
        default: ADD_FAILURE() << key << ": unexpected type";
    }
}

}  // namespace

class GgufRoundTrip : public ::testing::TestWithParam<std::tuple<std::string, GgufQuant>> {};

TEST_P(GgufRoundTrip, IndependentReaderSeesEveryKeyAndTensor) {
    if (!fetch_reader()) GTEST_SKIP() << "npm could not install @huggingface/gguf (no registry access?)";
    const auto& [arch, quant] = GetParam();
    TempDir tmp;
    auto m = noisy_model(arch, 384, 42);
    const ModelConfig& c = m->config();
    const std::string path = (tmp.path / "model.gguf").string();
    GgufWriter w = build_gguf(*m, kSpDir, quant, "roundtrip", nullptr);
    GgufExportResult res = export_gguf(*m, kSpDir, quant, "roundtrip", path);
    ReadBack r = read_back(path, tmp.path);

    // metadata: the reader's keys are exactly the writer's, each with its type and value
    std::set<std::string> want_keys, got_keys;
    for (auto& [k, v] : w.kv()) {
        want_keys.insert(k);
        check_value(k, v, r.meta.contains(k) ? r.meta[k] : json());
    }
    for (auto& [k, v] : r.meta.items())
        if (k != "version" && k != "tensor_count" && k != "kv_count") got_keys.insert(k);
    EXPECT_EQ(got_keys, want_keys);
    EXPECT_EQ(r.meta["version"]["value"], 3);
    // what llama.cpp requires, with its types, and the values that come from config.json
    for (auto& [k, type, sub] : required_keys(arch, true)) {
        ASSERT_TRUE(r.meta.contains(k)) << k;
        EXPECT_EQ(r.meta[k]["type"].get<int>(), type) << k;
        if (sub >= 0) EXPECT_EQ(r.meta[k]["subType"].get<int>(), sub) << k;
    }
    const std::string a = arch;
    EXPECT_EQ(r.meta["general.architecture"]["value"], arch);
    EXPECT_EQ(r.meta["general.file_type"]["value"], quant == GgufQuant::f32 ? 0 : quant == GgufQuant::f16 ? 1 : 7);
    EXPECT_EQ(r.meta[a + ".context_length"]["value"], c.max_position_embeddings);
    EXPECT_EQ(r.meta[a + ".embedding_length"]["value"], c.hidden_size);
    EXPECT_EQ(r.meta[a + ".block_count"]["value"], c.num_hidden_layers);
    EXPECT_EQ(r.meta[a + ".feed_forward_length"]["value"], c.intermediate_size);
    EXPECT_EQ(r.meta[a + ".attention.head_count"]["value"], c.num_attention_heads);
    EXPECT_EQ(r.meta[a + ".attention.head_count_kv"]["value"], c.num_key_value_heads);
    EXPECT_EQ(r.meta[a + ".attention.key_length"]["value"], c.head_dim);
    EXPECT_EQ(float(r.meta[a + ".attention.layer_norm_rms_epsilon"]["value"].get<double>()), c.rms_norm_eps);
    EXPECT_EQ(float(r.meta[a + ".rope.freq_base"]["value"].get<double>()), c.rope_theta);
    EXPECT_EQ(r.meta["tokenizer.ggml.tokens"]["value"].size(), size_t(c.vocab_size));

    // tensors: names from the HF layout (plus llama3's rope_freqs), shapes reversed, types, data
    std::map<std::string, const ParamView*> by_gguf;
    for (const ParamView& v : m->base_layout()) by_gguf[gguf_name(v.name)] = &v;
    const bool rope_freqs = arch == "llama" && c.rope_scaling.rope_type == "llama3";
    EXPECT_EQ(r.tensors.size(), by_gguf.size() + (rope_freqs ? 1 : 0));
    EXPECT_EQ(r.tensors.size(), res.tensors);
    EXPECT_EQ(r.data_offset % 32, 0u);
    uint64_t end = 0;
    for (const json& t : r.tensors) {
        const std::string name = t["name"];
        EXPECT_EQ(t["offset"].get<uint64_t>() % 32, 0u) << name;
        const std::vector<float>& got = r.data.at(name);
        if (name == "rope_freqs.weight") {
            ASSERT_TRUE(rope_freqs);
            EXPECT_EQ(t["dtype"], 0);
            EXPECT_EQ(got, llama3_rope_factors(*m));
            continue;
        }
        ASSERT_TRUE(by_gguf.count(name)) << "unexpected tensor " << name;
        const ParamView& v = *by_gguf[name];
        std::vector<int64_t> ne(v.shape.rbegin(), v.shape.rend());
        EXPECT_EQ(t["shape"].get<std::vector<int64_t>>(), ne) << name;
        const bool matrix = v.shape.size() == 2;
        const int want_type = !matrix || quant == GgufQuant::f32 ? 0 : quant == GgufQuant::f16 ? 1 : 8;
        EXPECT_EQ(t["dtype"].get<int>(), want_type) << name;
        const float* src = m->base_params().data() + v.offset;
        std::vector<float> permuted;
        const bool q = name.find("attn_q.") != std::string::npos, k = name.find("attn_k.") != std::string::npos;
        if (arch == "llama" && (q || k)) {
            const int rows = int(v.shape[0]), cols = v.shape.size() == 2 ? int(v.shape[1]) : 1;
            permuted = permute_like_numpy(src, q ? c.num_attention_heads : c.num_key_value_heads, rows, cols);
            src = permuted.data();
        }
        ASSERT_EQ(got.size(), v.numel) << name;
        size_t bad = 0;
        if (want_type == 0) {
            for (size_t i = 0; i < v.numel; ++i) bad += got[i] != src[i];
        } else if (want_type == 1) {
            for (size_t i = 0; i < v.numel; ++i) bad += got[i] != f16_to_f32(f32_to_f16(src[i]));
        } else {  // Q8_0: blocks of 32 along a row; |x - x'| <= 0.5 d + 127 |d - fp16(d)|, d = amax/127
            for (size_t b = 0; b < v.numel / 32; ++b) {
                float amax = 0;
                for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(src[b * 32 + j]));
                const double d = amax / 127.0, d16 = f16_to_f32(f32_to_f16(float(d)));
                const double bound = 0.5 * d + 127 * std::fabs(d - d16) + 1e-7 * amax;
                for (int j = 0; j < 32; ++j) bad += std::fabs(double(got[b * 32 + j]) - src[b * 32 + j]) > bound;
            }
        }
        EXPECT_EQ(bad, 0u) << name << " (" << v.numel << " values)";
        const uint64_t bytes = want_type == 0 ? v.numel * 4 : want_type == 1 ? v.numel * 2 : v.numel / 32 * 34;
        end = std::max<uint64_t>(end, r.data_offset + t["offset"].get<uint64_t>() + bytes);
    }
    EXPECT_GE(r.file_size, end);
    EXPECT_LE(r.file_size, end + 32);
    EXPECT_EQ(r.file_size, fs::file_size(path));
}

INSTANTIATE_TEST_SUITE_P(All, GgufRoundTrip,
                         ::testing::Values(std::make_tuple("llama", GgufQuant::f32), std::make_tuple("llama", GgufQuant::f16),
                                           std::make_tuple("llama", GgufQuant::q8_0), std::make_tuple("qwen2", GgufQuant::q8_0),
                                           std::make_tuple("qwen3", GgufQuant::f16), std::make_tuple("qwen3", GgufQuant::q8_0)),
                         [](const auto& info) {
                             return std::get<0>(info.param) + "_" + to_string(std::get<1>(info.param));
                         });
