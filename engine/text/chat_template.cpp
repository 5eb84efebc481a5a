#include "text/chat_template.h"

#include <ctime>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "text/jinja/jinja.h"

namespace rf {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kChatML =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

std::string token_string(const json& c, const char* key) {
    if (!c.is_object() || !c.contains(key)) return {};
    const json& v = c[key];
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
    return {};
}

}  // namespace

TemplateDate TemplateDate::today() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
}

ChatTemplate ChatTemplate::from_string(const std::string& source, const std::string& origin, std::string bos_token,
                                       std::string eos_token) {
    ChatTemplate t;
    t.m_tpl = std::make_shared<jinja::Template>(source, origin);
    t.m_source = source;
    t.m_origin = origin;
    t.m_bos = std::move(bos_token);
    t.m_eos = std::move(eos_token);
    return t;
}

ChatTemplate ChatTemplate::chatml() {
    ChatTemplate t = from_string(kChatML, "built-in ChatML template");
    t.m_fallback = true;
    return t;
}

ChatTemplate ChatTemplate::from_dir(const std::string& dir) {
    fs::path d(dir);
    fs::path cfg = d / "tokenizer_config.json", jinja_file = d / "chat_template.jinja";
    json c;
    if (fs::exists(cfg)) {
        c = json::parse(read_file(cfg.string()), nullptr, false);
        if (c.is_discarded()) throw InputError(cfg.string(), 0, {}, "not valid JSON");
    }
    std::string bos = token_string(c, "bos_token"), eos = token_string(c, "eos_token");
    if (fs::exists(jinja_file)) return from_string(read_file(jinja_file.string()), jinja_file.string(), bos, eos);
    if (c.is_object() && c.contains("chat_template")) {
        const json& ct = c["chat_template"];
        std::string where = cfg.string() + ": chat_template";
        if (ct.is_string()) return from_string(ct.get<std::string>(), where, bos, eos);
        if (ct.is_array()) {  // [{"name": "default", "template": "..."}, {"name": "tool_use", ...}]
            for (const json& e : ct)
                if (e.is_object() && e.value("name", std::string()) == "default" && e.contains("template") && e["template"].is_string())
                    return from_string(e["template"].get<std::string>(), where + "[default]", bos, eos);
            throw InputError(cfg.string(), 0, "chat_template", "a list of templates without one named \"default\"");
        }
        if (!ct.is_null()) throw InputError(cfg.string(), 0, "chat_template", "expected a string or a list of {name, template}");
    }
    ChatTemplate t = chatml();
    t.m_bos = bos;
    t.m_eos = eos;
    t.m_note = "no chat_template in " + (fs::exists(cfg) ? cfg.string() : dir) + "; using the built-in ChatML template";
    return t;
}

std::string ChatTemplate::render(const std::vector<Message>& messages, bool add_generation_prompt,
                                 std::optional<bool> enable_thinking) const {
    json m = json::array();
    for (const Message& msg : messages) m.push_back({{"role", msg.role}, {"content", msg.content}});
    return render_json(m, add_generation_prompt, enable_thinking);
}

std::string ChatTemplate::render_json(const json& messages, bool add_generation_prompt, std::optional<bool> enable_thinking) const {
    RF_CHECK(m_tpl, "ChatTemplate used before it was loaded");
    if (!messages.is_array()) throw InputError(m_origin, 0, "messages", "expected a list of {role, content}");
    using jinja::Value;
    Value ctx = Value::make_dict();
    jinja::List msgs;
    for (const json& m : messages) {
        if (!m.is_object()) throw InputError(m_origin, 0, "messages", "each message must be an object {role, content}");
        Value v = Value::make_dict();
        // role and content first, in that order (templates print messages with tojson)
        for (const char* k : {"role", "content"}) if (m.contains(k)) v.dict->set(k, jinja::from_json(m[k]));
        for (auto it = m.begin(); it != m.end(); ++it)
            if (it.key() != "role" && it.key() != "content") v.dict->set(it.key(), jinja::from_json(it.value()));
        msgs.push_back(v);
    }
    ctx.dict->set("messages", Value::make_list(std::move(msgs)));
    ctx.dict->set("add_generation_prompt", Value::boolean(add_generation_prompt));
    ctx.dict->set("bos_token", Value::string(m_bos));
    ctx.dict->set("eos_token", Value::string(m_eos));
    if (enable_thinking) ctx.dict->set("enable_thinking", Value::boolean(*enable_thinking));
    TemplateDate date = m_date ? *m_date : TemplateDate::today();
    auto strftime_now = [&](const std::string& fmt) {
        return jinja::strftime_fixed(fmt, date.year, date.month, date.day, date.hour, date.minute, date.second);
    };
    return m_tpl->render(ctx, strftime_now);
}

bool ChatTemplate::reads_enable_thinking() const { return m_tpl && m_tpl->reads("enable_thinking"); }

}  // namespace rf
