#include "train/session_resources.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "io/hf_cache.h"
#include "io/hub_client.h"
#include "io/safetensors.h"
#include "judge/judge_factory.h"
#include "quant/quant_config.h"
#include "train/memory_check.h"

namespace fs = std::filesystem;

namespace rf {

static bool needs_reference(const RunConfig& c) {
    if (c.train_mode == TrainMode::sft) return false;
    return c.beta != 0.0 || c.ratio_against == RatioAgainst::reference || c.train_mode == TrainMode::ppo;
}

// The frozen base's quantization (docs/quantization.md): `quantization` packs a float checkpoint's
// block projections at load; an MLX-quantized folder keeps its own packing, whatever `quantization`
// says. The reference model (when one is loaded) is opened the same way.
static ModelLoadOptions load_options(const RunConfig& c) {
    ModelLoadOptions lo;
    lo.keep_packed = true;
    switch (c.quantization) {
        case Quantization::none:
            break;
        case Quantization::q4:
        case Quantization::q6:
        case Quantization::q8:
            lo.quantize = QuantSpec{c.quantization == Quantization::q4 ? 4 : c.quantization == Quantization::q6 ? 6 : 8,
                                    c.quantization_group_size, QuantMode::affine};
            break;
        case Quantization::mxfp4:
            lo.quantize = QuantSpec{4, 32, QuantMode::mxfp4};
            break;
    }
    if (lo.quantize) {
        const int line = c.origin.lines.count("quantization") ? c.origin.lines.at("quantization") : 0;
        validate_quant_spec(*lo.quantize, c.origin.file, "quantization (line " + std::to_string(line) + ")");
    }
    return lo;
}

static std::string quant_note(const Model& m, const std::string& dir, const RunConfig& c) {
    const int total = m.num_layers() * kNumProj, n = m.num_quantized();
    const bool mlx = QuantizationConfig::from_dir(dir).present;
    if (!mlx && c.quantization == Quantization::none) return {};
    std::string note;
    if (mlx) {
        note = "base: MLX-quantized checkpoint, packed weights kept packed";
        if (c.quantization != Quantization::none) note += " (quantization: " + std::string(enum_name(c.quantization)) + " does not re-quantize it)";
    } else {
        note = "base: quantized at load";
    }
    std::string kinds;
    for (int l = 0; l < m.num_layers() && kinds.empty(); ++l)
        for (int p = 0; p < kNumProj; ++p)
            if (const QuantizedMatrix* q = m.quantized(l, Proj(p))) {
                kinds = describe(q->spec);
                break;
            }
    note += ": " + std::to_string(n) + " of " + std::to_string(total) + " block projections packed";
    if (!kinds.empty()) note += " (" + kinds + ")";
    if (n < total && !mlx)
        note += "; the others stay float (input size not a multiple of the group size " +
                std::to_string(c.quantization == Quantization::mxfp4 ? 32 : c.quantization_group_size) + ")";
    char buf[96];
    std::snprintf(buf, sizeof buf, "; base weights %.1f MB", double(m.base_bytes()) / 1e6);
    return note + buf;
}

void open_model(Session::Impl& s) {
    const RunConfig& c = s.cfg;
    const ModelLoadOptions lo = load_options(c);
    s.model_dir = ensure_model(resolve_relative(c.model, c.origin.file), s.download_progress());
    s.policy = Model::load(s.model_dir, lo);
    if (std::string note = quant_note(*s.policy, s.model_dir, c); !note.empty()) s.log(note);
    AdapterSpec spec;
    spec.type = c.train_type;
    spec.rank = c.lora_parameters.rank;
    spec.scale = float(c.lora_parameters.scale);
    spec.dropout = float(c.lora_parameters.dropout);
    spec.num_layers = c.num_layers;
    spec.keys = c.lora_parameters.keys;
    if (spec.type == FineTuneType::full && s.policy->is_quantized())
        throw InputError(c.origin.file, c.origin.lines.count("train_type") ? c.origin.lines.at("train_type") : 0,
                         "train_type", "full fine-tuning needs a float base, but " + s.model_dir + " is quantized (" +
                             std::to_string(s.policy->num_quantized()) + " packed block projections)",
                         "use train_type: lora or dora (QLoRA), or a float16/bfloat16/float32 checkpoint");
    s.policy->set_finetune(spec, uint64_t(c.seed));
    s.policy->set_grad_checkpoint(c.grad_checkpoint);
    if (needs_reference(c) && (spec.type == FineTuneType::full || !c.reference_model_path.empty())) {
        std::string ref_dir = c.reference_model_path.empty() ? s.model_dir : ensure_model(resolve_relative(c.reference_model_path, c.origin.file), s.download_progress());
        s.reference = Model::load(ref_dir, spec.type == FineTuneType::full ? ModelLoadOptions{} : lo);
        if (s.reference->config().vocab_size != s.policy->config().vocab_size)
            throw InputError(ref_dir, 0, "reference_model_path",
                             "the reference model's vocabulary (" + std::to_string(s.reference->config().vocab_size) +
                                 ") differs from the policy's (" + std::to_string(s.policy->config().vocab_size) + ")",
                             "the reference must share the policy's tokenizer");
    }
    // compute_dtype: bf16 twins of the frozen base (the policy's for LoRA/DoRA, the reference model's).
    // auto: only for real model sizes (hidden >= 512); a tiny model's products are too small to gain
    // (the embedded default: 0.27 vs 0.24 s/step) and keep the exact float32 path.
    const bool want_bf16 = c.compute_dtype == ComputeDType::bfloat16 ||
                           (c.compute_dtype == ComputeDType::auto_ && s.policy->config().hidden_size >= 512);
    bool bf16_on = false;
    if (want_bf16) {
        bf16_on = s.policy->set_bf16_compute(true);
        if (s.reference) bf16_on = s.reference->set_bf16_compute(true) || bf16_on;
    }
    std::string why;
    if (!bf16_on && want_bf16) why = spec.type == FineTuneType::full ? " (full fine-tuning)" : " (" + bf16_gemm_description() + ")";
    else if (!bf16_on && c.compute_dtype == ComputeDType::auto_)
        why = " (compute_dtype auto: bfloat16 pays from hidden size 512; this model has " +
              std::to_string(s.policy->config().hidden_size) + ")";
    s.log(bf16_on ? "compute: bfloat16 for the frozen base's matmuls (" + bf16_gemm_description() + ")"
                  : "compute: float32" + why);
    if (s.policy->is_quantized())  // docs/algorithms.md "Fast sampling"
        s.log(c.num_iterations > 1 ? "sampling: exact (num_iterations > 1: the loss reads the sampling log-probs)"
                                   : "sampling: the lm-head packed in 8 bits and int8 activations (fast sampling)");
    s.tok = load_tokenizer(s.model_dir);
    s.tmpl = ChatTemplate::from_dir(s.model_dir);
    if (!s.tmpl->note().empty()) s.log(s.tmpl->note());
    // Completion length vs memory: refused now, not OOM-killed mid-run (train/memory_check.h).
    check_step_memory(estimate_step_memory(s.policy->config(), c), available_memory(), c);
}

void open_optimizer(Session::Impl& s) {
    const RunConfig& c = s.cfg;
    s.total_steps = int(total_iters(c, s.train.size()));
    TensorLayout layout;
    for (const auto& v : s.policy->trainable_layout()) {
        if (v.shape.size() == 2) layout.push_back(TensorView::matrix(v.name, v.offset, size_t(v.shape[0]), size_t(v.shape[1])));
        else layout.push_back(TensorView::vector(v.name, v.offset, v.numel));
    }
    s.optimizer = make_optimizer(c.optimizer, optimizer_options(c), layout);
    s.schedule = std::make_unique<LearningRateSchedule>(
        LearningRateSchedule::from_spec(lr_schedule_spec(c, s.total_steps)));
}

// `human` among reward_functions: the person answers through the session's asker (judge/human_reward.h).
static void open_human_reward(Session::Impl& s) {
    const RunConfig& c = s.cfg;
    if (!s.asker)
        throw InputError(c.origin.file, 0, "reward_functions",
                         "'human' is one of the reward functions, and this front end has no way to ask a person",
                         "run it in the GUI or in reinforge-cli from a terminal, or remove human");
    s.judgments = std::make_unique<JudgmentLog>(s.run_dir + "/judgments.jsonl");
    HumanRewardOptions o;
    o.group_size = c.train_mode == TrainMode::ppo ? 2 : c.group_size;  // PPO: the rewards judge scores pairs
    o.fraction = c.human_fraction;
    o.wait_seconds = c.human_wait_seconds;
    o.seed = uint64_t(c.seed);
    s.human_reward = std::make_unique<HumanRewardScorer>(*s.asker, s.control->stop, s.judgments.get(), o);
    HumanRewardScorer* h = s.human_reward.get();
    s.rewards->set_human_scorer([h](const Strings& p, const Strings& cm, const Strings& a, const Strings& t) {
        return (*h)(p, cm, a, t);
    });
}

void open_judge(Session::Impl& s) {
    const RunConfig& c = s.cfg;
    if (c.train_mode == TrainMode::sft) return;
    RewardSetOptions ro = reward_set_options(c);
    ro.functions_file = resolve_relative(c.reward_functions_file, c.origin.file);
    const bool fallback = judge_kind(c.judge) == JudgeKind::human && c.human_fallback == HumanFallback::rewards;
    if (c.train_mode == TrainMode::grpo || judge_kind(c.judge) == JudgeKind::rewards || fallback)
        s.rewards = std::make_shared<RewardSet>(ro);
    if (s.rewards && s.rewards->has_human() && s.ask_people) open_human_reward(s);
    if (c.train_mode == TrainMode::grpo) return;
    if (judge_kind(c.judge) == JudgeKind::none)
        throw InputError(c.origin.file, 0, "judge", "this mode needs a judge",
                         "set judge: rewards (reward functions), human, a model folder, or an http(s)://…/v1 endpoint");
    JudgeDeps deps;
    if (judge_kind(c.judge) == JudgeKind::model) deps.model_dir = resolve_relative(c.judge, c.origin.file);
    deps.stop = &s.control->stop;
    deps.asker = s.asker;
    deps.rewards = s.rewards;
    s.judge = make_judge(c, deps);
    if (!s.judgments) s.judgments = std::make_unique<JudgmentLog>(s.run_dir + "/judgments.jsonl");
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
