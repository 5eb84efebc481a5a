// Learning-rate schedules in mlx-lm's `lr_schedule` format (mlx_lm.tuner.utils.build_schedule):
//   lr_schedule:
//     name: cosine_decay              # cosine_decay | linear_schedule | exponential_decay | step_decay | constant
//     arguments: [1.0e-5, 800, 2.0e-6]   # the mlx.optimizers.schedulers function's arguments
//     warmup: 40                      # optional: linear from warmup_init to arguments[0] first
//     warmup_init: 1.0e-7             # optional, default 0
// A steps argument may be written {iters_fraction: f}, meaning max(1, int(iters * f)) as the MLX LoRA
// Studio runner resolves it. With no schedule the learning rate is the constant `learning_rate`;
// with one, `learning_rate` is not used (as in mlx-lm: arguments[0] is the initial value).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "core/enum_names.h"

namespace rf {

// The schedule functions (mlx.optimizers.schedulers), spelled as in lr_schedule.name.
enum class ScheduleKind { constant, cosine_decay, linear_schedule, exponential_decay, step_decay };
inline constexpr EnumName<ScheduleKind> kScheduleKindNames[] = {
    {ScheduleKind::constant, "constant"},
    {ScheduleKind::cosine_decay, "cosine_decay"},
    {ScheduleKind::linear_schedule, "linear_schedule"},
    {ScheduleKind::exponential_decay, "exponential_decay"},
    {ScheduleKind::step_decay, "step_decay"}};
constexpr std::span<const EnumName<ScheduleKind>> enum_names(ScheduleKind) { return kScheduleKindNames; }

// A schedule by value: the function, its arguments, the warmup. `end` is cosine_decay's floor and
// linear_schedule's final value; `rate` the decay rate of exponential_decay and step_decay; `steps`
// the decay steps (cosine), the steps (linear) or the step size (step_decay).
struct ScheduleSpec {
    ScheduleKind kind = ScheduleKind::constant;
    double init = 0.0;
    double end = 0.0;
    double rate = 1.0;
    int64_t steps = 1;
    int64_t warmup = 0;
    double warmup_init = 0.0;
};

class LearningRateSchedule {
public:
    using Kind = ScheduleKind;

    // Checks the values (InputError naming lr_schedule.<key>): steps >= 1, init >= 0, warmup >= 0.
    static LearningRateSchedule from_spec(const ScheduleSpec& spec);

    // `lr_schedule` null/absent: constant `learning_rate`. `iters`: total iterations of the run, needed
    // only by {iters_fraction}. Bad input throws InputError naming the key (lr_schedule.arguments ...).
    static LearningRateSchedule from_config(const nlohmann::json& lr_schedule, double learning_rate, int64_t iters);
    static LearningRateSchedule constant(double lr);

    // The learning rate of the update that follows `step` completed updates (mlx evaluates the
    // schedule at optimizer.step before incrementing it, so the first update uses lr_at(0)).
    float lr_at(int64_t step) const;

    Kind kind() const { return m_kind; }
    int64_t warmup() const { return m_warmup; }

private:
    double main_at(int64_t step) const;

    Kind m_kind = Kind::constant;
    double m_init = 0.0;
    double m_end = 0.0;        // cosine: minimum; linear: end
    double m_rate = 1.0;       // exponential / step decay
    int64_t m_steps = 1;       // cosine: decay_steps; linear: steps; step_decay: step_size
    int64_t m_warmup = 0;
    double m_warmup_init = 0.0;
};

}  // namespace rf
