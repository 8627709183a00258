#include "kdbench/train/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace kdbench::train {

double lr_at(const grid::LrSchedule& s, double base, int epoch, int epochs) {
  if (s.kind == "cosine") return base * 0.5 * (1.0 + std::cos(M_PI * (epoch - 1) / epochs));
  if (s.kind == "step") {
    double lr = base;
    if (!s.milestone_epochs.empty()) {
      for (int m : s.milestone_epochs)
        if (epoch > m) lr *= s.gamma;
      return lr;
    }
    for (double m : s.milestones)
      if (epoch > static_cast<int>(std::lround(m * epochs))) lr *= s.gamma;
    return lr;
  }
  return base;
}

bool per_step(const grid::LrSchedule& s) { return s.kind == "linear"; }

int64_t warmup_steps_of(const grid::LrSchedule& s, int64_t total_steps) {
  if (s.warmup_ratio > 0)
    return static_cast<int64_t>(std::ceil(s.warmup_ratio * static_cast<double>(total_steps)));
  return s.warmup_steps;
}

double lr_at_step(const grid::LrSchedule& s, double base, int64_t step, int64_t total_steps,
                  int64_t warmup_steps) {
  if (s.kind != "linear") return base;
  // Hugging Face divides Python floats: float(step) / float(max(1, warmup)).
  if (step < warmup_steps)
    return base *
           (static_cast<double>(step) / static_cast<double>(std::max<int64_t>(1, warmup_steps)));
  return base *
         std::max(0.0, static_cast<double>(total_steps - step) /
                           static_cast<double>(std::max<int64_t>(1, total_steps - warmup_steps)));
}

double lr_of_step(const grid::TrainConfig& c, int phase_epoch, int phase_epochs,
                  int64_t steps_per_epoch, int64_t step_in_epoch) {
  const auto& s = c.lr_schedule;
  if (!per_step(s)) return lr_at(s, c.lr, phase_epoch, phase_epochs);
  const int64_t total = phase_epochs * steps_per_epoch;
  return lr_at_step(s, c.lr, (phase_epoch - 1) * steps_per_epoch + step_in_epoch, total,
                    warmup_steps_of(s, total));
}

nlohmann::json schedule_json(const grid::LrSchedule& s) {
  nlohmann::json j = {
      {"lr_schedule", s.kind}, {"lr_milestones", s.milestones}, {"lr_gamma", s.gamma}};
  if (!s.milestone_epochs.empty()) j["lr_milestone_epochs"] = s.milestone_epochs;
  if (s.warmup_steps > 0) j["warmup_steps"] = s.warmup_steps;
  if (s.warmup_ratio > 0) j["warmup_ratio"] = s.warmup_ratio;
  return j;
}

}  // namespace kdbench::train
