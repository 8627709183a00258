#pragma once
// Fused runs (docs/design.md §4, "Fused models"): K tasks of the same small image student trained
// together as one models::FusedNet, each member the run it would have been alone — its own
// initial weights (its seed), data order and crop/flip draws (its data seed), teacher logits and
// method loss. The loss stepped is the sum of the members' losses, so each member's gradient is
// its own; SGD on the stacked parameters is element-wise, so per member. Each member is unstacked
// into an ordinary network at every epoch end for evaluation and checkpoints, exactly as a solo
// run evaluates and saves. Results equal the K solo runs up to floating-point summation order
// (grouped against plain convolution).
#include <string>
#include <vector>

#include "kdbench/grid/task_graph.h"
#include "kdbench/results/run_record.h"
#include "kdbench/train/trainer.h"

namespace kdbench::train {

// Why `tasks` cannot train as one fused group on `env`, or "" when they can: one rank (no gang),
// images, a model with a fused form, the same model, epochs, batch size, optimizer (SGD) and
// schedule; fp32, no gradient clipping, no evaluation between epoch ends, no pretrained init;
// each method a plain logit loss of one phase (no input perturbation, no phase change).
std::string fuse_refusal(const std::vector<const grid::Task*>& tasks, const TrainEnv& env);

// Trains `tasks` as one fused group and returns their records, in order; each record's
// config["fused"] names the group. ConfigError with fuse_refusal()'s reason when they cannot be
// fused. A stop request is not polled: a fused group is short (small students) and, stopped by a
// signal, is trained again from its start (no resume state).
std::vector<results::RunRecord> run_fused(const std::vector<const grid::Task*>& tasks,
                                          const TrainEnv& env);

}  // namespace kdbench::train
