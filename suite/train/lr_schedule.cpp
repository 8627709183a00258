#include "kdbench/train/lr_schedule.h"

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

nlohmann::json schedule_json(const grid::LrSchedule& s) {
  nlohmann::json j = {
      {"lr_schedule", s.kind}, {"lr_milestones", s.milestones}, {"lr_gamma", s.gamma}};
  if (!s.milestone_epochs.empty()) j["lr_milestone_epochs"] = s.milestone_epochs;
  return j;
}

}  // namespace kdbench::train
