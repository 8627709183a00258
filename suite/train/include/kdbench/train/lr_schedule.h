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

// Whether the schedule changes the learning rate at every optimizer step (linear) rather than
// once per epoch (step, cosine, constant: lr_at).
bool per_step(const grid::LrSchedule& schedule);

// The warm-up of a phase of `total_steps` optimizer steps: warmup_steps, or
// ceil(warmup_ratio * total_steps) as Hugging Face's TrainingArguments.get_warmup_steps.
int64_t warmup_steps_of(const grid::LrSchedule& schedule, int64_t total_steps);

// Learning rate before optimizer step `step` (0-based within the phase) of the linear schedule,
// exactly Hugging Face's get_linear_schedule_with_warmup:
//   step < warmup: base * step / warmup
//   otherwise:     base * max(0, (total - step) / (total - warmup))
// so the first step of a warm-up runs at lr 0 and the phase's last step at base / (total -
// warmup). `total_steps` is the phase's: its epochs times the steps of an epoch. For the epoch
// schedules it is lr_at of the step's epoch.
double lr_at_step(const grid::LrSchedule& schedule, double base, int64_t step, int64_t total_steps,
                  int64_t warmup_steps);

// The learning rate the trainer sets before step `step_in_epoch` (0-based) of the phase's epoch
// `phase_epoch` (1-based) with `steps_per_epoch` steps; for the epoch schedules, lr_at.
double lr_of_step(const grid::TrainConfig& c, int phase_epoch, int phase_epochs,
                  int64_t steps_per_epoch, int64_t step_in_epoch);

// The schedule as recorded in a run's config: lr_schedule, lr_milestones (the fractions; empty
// for epochs, cosine, constant and linear), lr_gamma, and lr_milestone_epochs, warmup_steps and
// warmup_ratio only when they are set.
nlohmann::json schedule_json(const grid::LrSchedule& schedule);

}  // namespace kdbench::train
