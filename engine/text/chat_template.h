// The model's chat template (tokenizer_config.json "chat_template", Jinja), rendered for the
// conversations the trainers build: [system?, user, assistant?], add_generation_prompt and, where
// the template reads it, enable_thinking.
//
//   auto tpl = rf::ChatTemplate::from_dir("models/Qwen3-0.6B");
//   std::string prompt = tpl.render({{"system", S}, {"user", U}}, true, std::nullopt);
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace rf {

namespace jinja { class Template; }

struct Message {
    std::string role, content;
};

// A calendar date and time for templates that call strftime_now (Llama 3.1+).
struct TemplateDate {
    int year = 2024, month = 7, day = 26, hour = 0, minute = 0, second = 0;
    static TemplateDate today();  // local time now
};

class ChatTemplate {
public:
    // Reads tokenizer_config.json in `dir` ("chat_template" as a string, or a list of {name,
    // template} where "default" is used), plus a chat_template.jinja file when present (newer HF
    // folders). Falls back to ChatML when the model has no template, and says so in note().
    static ChatTemplate from_dir(const std::string& dir);
    // A template from source text; `origin` names it in errors.
    static ChatTemplate from_string(const std::string& source, const std::string& origin, std::string bos_token = {},
                                    std::string eos_token = {});
    // The ChatML fallback: <|im_start|>{role}\n{content}<|im_end|>\n ... <|im_start|>assistant\n
    static ChatTemplate chatml();

    // Renders the conversation. `enable_thinking` is passed to the template only when set.
    // Throws InputError (naming the template and line) on template errors.
    std::string render(const std::vector<Message>& messages, bool add_generation_prompt,
                       std::optional<bool> enable_thinking = std::nullopt) const;
    // Same with messages as JSON objects (a dataset's `messages` column, extra keys kept).
    std::string render_json(const nlohmann::json& messages, bool add_generation_prompt,
                            std::optional<bool> enable_thinking = std::nullopt) const;

    // strftime_now uses this date; by default the local date at the time of rendering. Tests and
    // reproducible runs pin it.
    void set_date(std::optional<TemplateDate> date) { m_date = date; }
    const std::string& source() const { return m_source; }
    const std::string& origin() const { return m_origin; }
    // Non-empty when something worth telling the user happened (e.g. the ChatML fallback).
    const std::string& note() const { return m_note; }
    bool is_fallback() const { return m_fallback; }
    // The template reads `enable_thinking` (Qwen3 style).
    bool reads_enable_thinking() const;
    const std::string& bos_token() const { return m_bos; }
    const std::string& eos_token() const { return m_eos; }

private:
    std::shared_ptr<const jinja::Template> m_tpl;
    std::string m_source, m_origin, m_note, m_bos, m_eos;
    bool m_fallback = false;
    std::optional<TemplateDate> m_date;
};

}  // namespace rf
