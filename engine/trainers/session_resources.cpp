#include "trainers/session_resources.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "io/hf_cache.h"
#include "io/safetensors.h"
#include "judge/http_backend.h"
#include "judge/human_judge.h"
#include "judge/llm_judge.h"
#include "judge/rewards_judge.h"

namespace fs = std::filesystem;

namespace rf {

static bool needs_reference(const RunConfig& c) {
    if (c.train_mode == TrainMode::sft) return false;
    return c.beta != 0.0 || c.ratio_against == RatioAgainst::reference || c.train_mode == TrainMode::ppo;
}

void open_model(Session::Impl& s) {
    const RunConfig& c = s.cfg;
    if (c.quantization != Quantization::none)
        throw InputError(c.origin.file, c.origin.lines.count("quantization") ? c.origin.lines.at("quantization") : 0,
                         "quantization", "quantized bases are not available in this build yet",
                         "use quantization: none");
    s.model_dir = resolve_model_dir(resolve_relative(c.model, c.origin.file));
    s.policy = Model::load(s.model_dir);
    AdapterSpec spec;
    spec.type = c.train_type == TrainType::lora ? FineTuneType::lora
              : c.train_type == TrainType::dora ? FineTuneType::dora : FineTuneType::full;
    spec.rank = c.lora_parameters.rank;
    spec.scale = float(c.lora_parameters.scale);
    spec.dropout = float(c.lora_parameters.dropout);
    spec.num_layers = c.num_layers;
    spec.keys = c.lora_parameters.keys;
    s.policy->set_finetune(spec, uint64_t(c.seed));
    s.policy->set_grad_checkpoint(c.grad_checkpoint);
    if (needs_reference(c) && (spec.type == FineTuneType::full || !c.reference_model_path.empty())) {
        std::string ref_dir = c.reference_model_path.empty() ? s.model_dir : resolve_model_dir(resolve_relative(c.reference_model_path, c.origin.file));
        s.reference = Model::load(ref_dir);
        if (s.reference->config().vocab_size != s.policy->config().vocab_size)
            throw InputError(ref_dir, 0, "reference_model_path",
                             "the reference model's vocabulary (" + std::to_string(s.reference->config().vocab_size) +
                                 ") differs from the policy's (" + std::to_string(s.policy->config().vocab_size) + ")",
                             "the reference must share the policy's tokenizer");
    }
    s.tok = load_tokenizer(s.model_dir);
    s.tmpl = ChatTemplate::from_dir(s.model_dir);
    if (!s.tmpl->note().empty()) s.log(s.tmpl->note());
}

void open_optimizer(Session::Impl& s) {
    const RunConfig& c = s.cfg;
    s.total_steps = int(total_iters(c, s.train.size()));
    std::string name(enum_name(c.optimizer));
    TensorLayout layout;
    for (const auto& v : s.policy->trainable_layout()) {
        if (v.shape.size() == 2) layout.push_back(TensorView::matrix(v.name, v.offset, size_t(v.shape[0]), size_t(v.shape[1])));
        else layout.push_back(TensorView::vector(v.name, v.offset, v.numel));
    }
    s.optimizer = make_optimizer(name, optimizer_options(c), layout);
    s.schedule = std::make_unique<LearningRateSchedule>(
        LearningRateSchedule::from_config(lr_schedule_json(c, s.total_steps), c.learning_rate, s.total_steps));
}

static std::unique_ptr<Judge> make_llm_judge(Session::Impl& s) {
    const RunConfig& c = s.cfg;
    LlmJudgeOptions lo;
    lo.judge_system = c.judge_system;
    lo.template_text = c.judge_config.system_prompt;
    if (judge_kind(c.judge) == JudgeKind::http) {
        HttpBackendOptions ho;
        ho.base_url = c.judge;
        ho.model = c.judge_model;
        if (!c.judge_config.api_key_env.empty())
            if (const char* key = std::getenv(c.judge_config.api_key_env.c_str())) ho.api_key = key;
        ho.timeout_s = c.judge_config.timeout_seconds;
        ho.retries = c.judge_config.retries;
        ho.stop = &s.control->stop;
        return std::make_unique<LlmJudge>(std::make_unique<HttpChatBackend>(ho), lo);
    }
    return std::make_unique<LlmJudge>(make_local_judge_backend(s, c.judge), lo);
}

void open_judge(Session::Impl& s) {
    const RunConfig& c = s.cfg;
    if (c.train_mode == TrainMode::sft) return;
    JudgeKind kind = judge_kind(c.judge);
    bool grpo = c.train_mode == TrainMode::grpo;
    if (grpo || kind == JudgeKind::rewards) {
        RewardSetOptions o;
        o.names = c.reward_functions;
        o.weights = c.reward_weights;
        o.functions_file = resolve_relative(c.reward_functions_file, c.origin.file);
        s.rewards = std::make_shared<RewardSet>(o);
    }
    if (grpo) return;
    s.judgments = std::make_unique<JudgmentLog>(s.run_dir + "/judgments.jsonl");
    switch (kind) {
        case JudgeKind::rewards: s.judge = std::make_unique<RewardsJudge>(s.rewards); break;
        case JudgeKind::human:
            if (!s.asker)
                throw InputError(c.origin.file, 0, "judge",
                                 "judge: human needs someone to ask (the window, or the terminal of `reinforge-cli train`)",
                                 "run it from the GUI or an interactive terminal, or use judge: rewards");
            s.judge = std::make_unique<HumanJudge>(*s.asker, s.control->stop);
            break;
        case JudgeKind::none:
            throw InputError(c.origin.file, 0, "judge", "this mode needs a judge",
                             "set judge: rewards (reward functions), human, a model folder, or an http(s)://…/v1 endpoint");
        case JudgeKind::http:
        case JudgeKind::model:
            s.judge = make_llm_judge(s);
            break;
    }
}

double peak_memory_gb() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            double kb = std::atof(line.c_str() + 6);
            return kb / (1024.0 * 1024.0);
        }
    }
    return 0.0;
}

}  // namespace rf
