#pragma once
#include "kdbench/grid/grid_spec.h"

namespace kdbench::train {

// Learning rate of a phase's epoch (1-based), stepped per epoch as the papers' code does.
//   step:     base * gamma^(number of milestones m with epoch > round(m * epochs))
//   cosine:   base * (1 + cos(pi * (epoch - 1) / epochs)) / 2
//   constant: base
double lr_at(const grid::LrSchedule& schedule, double base, int epoch, int epochs);

}  // namespace kdbench::train
