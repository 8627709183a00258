#pragma once
#include <nlohmann/json.hpp>

#include "kdbench/grid/grid_spec.h"

namespace kdbench::train {

// Learning rate of a phase's epoch (1-based), stepped per epoch as the papers' code does.
//   step, fractions (lr_schedule = step F1 F2 ...):
//             base * gamma^(number of milestones m with epoch > round(m * epochs))
//   step, epochs (lr_milestones = E1 E2 ...):
//             base * gamma^(number of milestones m with epoch > m), i.e. PyTorch's
//             MultiStepLR(milestones=[E1, E2, ...]) stepped once per epoch
//   cosine:   base * (1 + cos(pi * (epoch - 1) / epochs)) / 2
//   constant: base
// `epochs` is the phase's length. A method with several phases (Annealing-KD's stages) restarts
// the schedule in each; milestone epochs count within the phase like fractions do, and one after
// a shorter phase's last epoch never applies in it.
double lr_at(const grid::LrSchedule& schedule, double base, int epoch, int epochs);

// The schedule as recorded in a run's config: lr_schedule, lr_milestones (the fractions; empty
// for epochs, cosine and constant), lr_gamma, and lr_milestone_epochs only when they are set.
nlohmann::json schedule_json(const grid::LrSchedule& schedule);

}  // namespace kdbench::train
