// Tokenizers: the one interface the trainers, the sampler and the CLI code against.
//
//   auto tok = rf::load_tokenizer("models/Qwen3-0.6B");   // tokenizer.json, else tokenizer.model
//   std::vector<int> ids = tok->encode("Hello");          // no BOS/EOS
//   std::string text = tok->decode(ids);
//
// Two implementations: byte-level / byte-fallback BPE driven by a Hugging Face tokenizer.json
// (hf_tokenizer.h) and SentencePiece tokenizer.model through libsentencepiece (sp_tokenizer.h).
#pragma once
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rf {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    // Token ids of `text`. Special/added tokens written in the text (e.g. "<|im_start|>") are matched
    // first. `add_special` adds what the model's post-processor adds (e.g. Llama's BOS).
    virtual std::vector<int> encode(std::string_view text, bool add_special = false) const = 0;
    // UTF-8 text of `ids`; invalid or incomplete UTF-8 (a token sequence cut inside a character)
    // becomes U+FFFD, as Hugging Face's decode does. Unknown ids are an InputError.
    // transformers' clean_up_tokenization_spaces (" ." -> ".") is never applied: it is lossy, and
    // the trainer needs the text the ids stand for.
    virtual std::string decode(std::span<const int> ids, bool skip_special = false) const;
    // The raw bytes the ids decode to, without any UTF-8 repair (used by StreamDecoder).
    virtual std::string decode_bytes(std::span<const int> ids, bool skip_special = false) const = 0;

    // The vocabulary string of one id ("Ġthe", "<|im_end|>", "▁the", "<0x0A>"); empty when out of range.
    virtual std::string token_text(int id) const = 0;
    // Id of a vocabulary string, or -1.
    virtual int token_id(std::string_view token) const = 0;
    // Number of ids (regular vocabulary plus added tokens): max id + 1.
    virtual int vocab_size() const = 0;
    // BOS id (-1 when the model has none, as Qwen).
    int bos_id() const { return m_bos_id; }
    // Every id that ends generation: eos_token of tokenizer_config.json plus config.json's and
    // generation_config.json's eos_token_id (int or list), without duplicates, in that order.
    const std::vector<int>& eos_ids() const { return m_eos_ids; }
    bool is_eos(int id) const;
    // True for special (control) tokens, the ones decode(skip_special=true) leaves out.
    virtual bool is_special(int id) const = 0;
    // "hf-bpe" or "sentencepiece", for messages.
    virtual std::string kind() const = 0;
    // Folder it was loaded from (may be empty).
    const std::string& dir() const { return m_dir; }

protected:
    int m_bos_id = -1;
    std::vector<int> m_eos_ids;
    std::string m_dir;
    friend std::unique_ptr<Tokenizer> load_tokenizer(const std::string& dir);
};

// Loads the tokenizer in `dir`: tokenizer.json when present, else tokenizer.model. Reads
// tokenizer_config.json, config.json and generation_config.json (all optional) for BOS/EOS.
// Throws InputError naming the folder and the files it looked for.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& dir);

// Streaming decode during generation: feed ids one at a time, get back only complete UTF-8.
// A character split over several tokens (emoji, CJK under byte-level BPE) comes out whole once its
// last byte arrived; bytes that can never complete come out as U+FFFD.
class StreamDecoder {
public:
    explicit StreamDecoder(const Tokenizer& tok, bool skip_special = false) : m_tok(&tok), m_skip(skip_special) {}
    // Text that became complete with this token (often empty while a character is pending).
    std::string push(int id);
    // Whatever is still pending, repaired with U+FFFD; resets the decoder.
    std::string flush();
    void reset();
    // Everything emitted so far (push and flush results concatenated).
    const std::string& text() const { return m_text; }

private:
    const Tokenizer* m_tok;
    bool m_skip;
    std::vector<int> m_ids;   // ids since the window start
    size_t m_emitted = 0;     // bytes of decode_bytes(m_ids) already emitted
    std::string m_text;
};

}  // namespace rf
