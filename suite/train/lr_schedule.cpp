#include "kdbench/train/lr_schedule.h"

#include <cmath>

namespace kdbench::train {

double lr_at(const grid::LrSchedule& s, double base, int epoch, int epochs) {
  if (s.kind == "cosine") return base * 0.5 * (1.0 + std::cos(M_PI * (epoch - 1) / epochs));
  if (s.kind == "step") {
    double lr = base;
    for (double m : s.milestones)
      if (epoch > static_cast<int>(std::lround(m * epochs))) lr *= s.gamma;
    return lr;
  }
  return base;
}

}  // namespace kdbench::train
