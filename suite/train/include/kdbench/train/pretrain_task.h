#pragma once
// A `pretrain` task of the DAG (docs/text.md, "Pretraining in the grid"): masked-LM pretraining
// of one model's encoder on the grid's [pretrain] corpus (train::pretrain_mlm), saved as a Hugging
// Face BERT directory that the model's fine-tunes start from as `init = DIR` does.
#include <string>

#include "kdbench/grid/grid_spec.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/results/run_record.h"
#include "kdbench/train/trainer.h"

namespace kdbench::train {

// Trains, then writes <artifacts>/<key>/encoder/ atomically (a temporary directory renamed into
// place), then the finished record (finished.json), and returns the DONE record: kind pretrain,
// the curve of MLM points in `curves` (epoch = the point's optimizer step, train_loss, val_acc =
// val MLM accuracy, lr, seconds; no test split), every point in `evaluations` ({step,
// train_loss, val_loss, val_accuracy, lr}) and config.pretrain (corpus, hyper-parameters, final
// val MLM loss and accuracy, seconds, sequences per second). One rank (the grid refuses gangs);
// a stop at a step boundary throws Interrupted and the rerun pretrains from the start.
results::RunRecord run_pretrain_task(const grid::Task& task, const grid::GridSpec& grid,
                                     const TrainEnv& env);

// A fine-tune of a pretrained model: `task` with train.init set to its pretrain task's encoder
// directory (unchanged when it has none).
grid::Task with_pretrained_init(const grid::Task& task, const std::string& artifacts_root);

}  // namespace kdbench::train
