#include "optim/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "core/error.h"

namespace rf {

namespace {

[[noreturn]] void fail(const std::string& key, const std::string& message, const std::string& hint = {}) {
    throw InputError({}, 0, "lr_schedule" + (key.empty() ? "" : "." + key), message, hint);
}

double number_arg(const nlohmann::json& args, size_t i, const char* what) {
    const nlohmann::json& v = args[i];
    if (!v.is_number()) fail("arguments", "argument " + std::to_string(i) + " (" + what + ") must be a number, got " + v.dump());
    double x = v.get<double>();
    if (!std::isfinite(x)) fail("arguments", std::string(what) + " must be finite");
    return x;
}

// A step count, or {iters_fraction: f} resolved against `iters` as max(1, int(iters * f)).
int64_t steps_arg(const nlohmann::json& args, size_t i, const char* what, int64_t iters) {
    const nlohmann::json& v = args[i];
    int64_t n = 0;
    if (v.is_object()) {
        auto it = v.find("iters_fraction");
        if (v.size() != 1 || it == v.end() || !it->is_number())
            fail("arguments", std::string(what) + ": expected a step count or {iters_fraction: f}, got " + v.dump());
        double f = it->get<double>();
        if (!(f > 0.0 && f <= 1.0)) fail("arguments", "iters_fraction must be in (0, 1], got " + it->dump());
        if (iters <= 0)
            fail("arguments", "{iters_fraction} needs the run's iterations", "set iters (or epochs) in the config");
        n = std::max<int64_t>(1, int64_t(double(iters) * f));
    } else if (v.is_number_integer()) {
        n = v.get<int64_t>();
    } else if (v.is_number() && v.get<double>() == std::floor(v.get<double>())) {
        n = int64_t(v.get<double>());
    } else {
        fail("arguments", "argument " + std::to_string(i) + " (" + what + ") must be an integer step count, got " + v.dump());
    }
    if (n < 1) fail("arguments", std::string(what) + " must be at least 1, got " + std::to_string(n));
    return n;
}

}  // namespace

LearningRateSchedule LearningRateSchedule::from_spec(const ScheduleSpec& spec) {
    if (spec.steps < 1) fail("steps", "must be at least 1, got " + std::to_string(spec.steps));
    if (!(spec.init >= 0.0) || !std::isfinite(spec.init)) fail("arguments", "the initial learning rate must be >= 0");
    if (spec.warmup < 0) fail("warmup", "expected a non-negative number of steps");
    if (!(spec.warmup_init >= 0.0)) fail("warmup_init", "expected a non-negative number");
    LearningRateSchedule s;
    s.m_kind = spec.kind;
    s.m_init = spec.init;
    s.m_end = spec.end;
    s.m_rate = spec.rate;
    s.m_steps = spec.steps;
    s.m_warmup = spec.warmup;
    s.m_warmup_init = spec.warmup_init;
    return s;
}

LearningRateSchedule LearningRateSchedule::constant(double lr) {
    LearningRateSchedule s;
    s.m_kind = Kind::constant;
    s.m_init = lr;
    return s;
}

LearningRateSchedule LearningRateSchedule::from_config(const nlohmann::json& cfg, double learning_rate, int64_t iters) {
    if (cfg.is_null()) return constant(learning_rate);
    if (!cfg.is_object()) fail("", "expected a mapping with name and arguments, got " + cfg.dump(),
                               "e.g. lr_schedule: {name: cosine_decay, arguments: [1e-5, 1000, 1e-7], warmup: 100}");
    static const std::vector<std::string> keys = {"name", "arguments", "warmup", "warmup_init"};
    for (auto it = cfg.begin(); it != cfg.end(); ++it)
        if (std::find(keys.begin(), keys.end(), it.key()) == keys.end())
            fail(it.key(), "unknown key", "known keys: name, arguments, warmup, warmup_init");
    auto name_it = cfg.find("name");
    if (name_it == cfg.end() || !name_it->is_string()) fail("name", "missing or not a string",
                                                            "one of cosine_decay, linear_schedule, exponential_decay, step_decay, constant");
    const std::string name = name_it->get<std::string>();
    auto args_it = cfg.find("arguments");
    if (args_it == cfg.end() || !args_it->is_array()) fail("arguments", "missing or not a list",
                                                          "e.g. arguments: [1.0e-5, 1000, 1.0e-7]");
    const nlohmann::json& args = *args_it;
    auto need = [&](size_t lo, size_t hi, const char* usage) {
        if (args.size() < lo || args.size() > hi)
            fail("arguments", name + " takes " + usage + ", got " + std::to_string(args.size()) + " argument(s)");
    };

    ScheduleSpec s;
    if (name == "cosine_decay") {
        need(2, 3, "[init, decay_steps, end]");
        s.kind = Kind::cosine_decay;
        s.init = number_arg(args, 0, "init");
        s.steps = steps_arg(args, 1, "decay_steps", iters);
        s.end = args.size() > 2 ? number_arg(args, 2, "end") : 0.0;
    } else if (name == "linear_schedule") {
        need(3, 3, "[init, end, steps]");
        s.kind = Kind::linear_schedule;
        s.init = number_arg(args, 0, "init");
        s.end = number_arg(args, 1, "end");
        s.steps = steps_arg(args, 2, "steps", iters);
    } else if (name == "exponential_decay") {
        need(2, 2, "[init, decay_rate]");
        s.kind = Kind::exponential_decay;
        s.init = number_arg(args, 0, "init");
        s.rate = number_arg(args, 1, "decay_rate");
    } else if (name == "step_decay") {
        need(3, 3, "[init, decay_rate, step_size]");
        s.kind = Kind::step_decay;
        s.init = number_arg(args, 0, "init");
        s.rate = number_arg(args, 1, "decay_rate");
        s.steps = steps_arg(args, 2, "step_size", iters);
    } else if (name == "constant") {
        need(1, 1, "[lr]");
        s.kind = Kind::constant;
        s.init = number_arg(args, 0, "lr");
    } else {
        fail("name", "unknown schedule '" + name + "'",
             "one of cosine_decay, linear_schedule, exponential_decay, step_decay, constant");
    }
    if (s.init < 0.0) fail("arguments", "the initial learning rate must be >= 0");

    if (auto w = cfg.find("warmup"); w != cfg.end() && !w->is_null()) {
        if (!w->is_number_integer() || w->get<int64_t>() < 0)
            fail("warmup", "expected a non-negative integer number of steps, got " + w->dump());
        s.warmup = w->get<int64_t>();
    }
    if (auto wi = cfg.find("warmup_init"); wi != cfg.end() && !wi->is_null()) {
        if (!wi->is_number() || wi->get<double>() < 0.0)
            fail("warmup_init", "expected a non-negative number, got " + wi->dump());
        s.warmup_init = wi->get<double>();
    }
    return from_spec(s);
}

// The schedule functions of mlx.optimizers.schedulers, at step s (>= 0):
//   cosine_decay(init, N, end):  init * 0.5 (1 + cos(pi min(s, N) / N)), then max(., end)
//                                (mlx takes the max with `end`; it does not rescale into [end, init])
//   linear_schedule(init, end, N): init + min(s, N) (end - init) / N
//   exponential_decay(init, r):  init r^s
//   step_decay(init, r, K):      init r^floor(s / K)
// reference: mlx python/mlx/optimizers/schedulers.py
double LearningRateSchedule::main_at(int64_t step) const {
    const double s = double(step);
    switch (m_kind) {
    case Kind::constant: return m_init;
    case Kind::cosine_decay: {
        const double t = std::min(s, double(m_steps));
        return std::max(m_init * 0.5 * (1.0 + std::cos(std::numbers::pi / double(m_steps) * t)), m_end);
    }
    case Kind::linear_schedule: return std::min(s, double(m_steps)) * ((m_end - m_init) / double(m_steps)) + m_init;
    case Kind::exponential_decay: return m_init * std::pow(m_rate, s);
    case Kind::step_decay: return m_init * std::pow(m_rate, double(step / m_steps));
    }
    return m_init;
}

// With warmup W > 0 (mlx-lm build_schedule): join_schedules([linear_schedule(warmup_init, init, W),
// main], [W + 1]):  s <= W:  warmup_init + s (init - warmup_init) / W;   s > W:  main(s - W - 1).
float LearningRateSchedule::lr_at(int64_t step) const {
    RF_CHECK(step >= 0, "lr_at: negative step");
    if (m_warmup > 0) {
        if (step < m_warmup + 1)
            return float(double(step) * ((m_init - m_warmup_init) / double(m_warmup)) + m_warmup_init);
        return float(main_at(step - m_warmup - 1));
    }
    return float(main_at(step));
}

}  // namespace rf
