#pragma once
// Runs one task of the DAG: trains its model (teacher: cross-entropy; student: its method, phase
// by phase), evaluates on val and test every epoch, keeps the checkpoints the grid needs and
// returns the finished RunRecord. A stop request at a step boundary saves the task's state to
// <artifacts>/<key>/resume.pt and throws Interrupted; the next run_task of the same task
// continues from it, bit for bit. Deterministic on CPU: all randomness derives from the task's
// seed, so the same task twice gives bitwise-identical weights and curves.
#include <functional>
#include <string>

#include "kdbench/grid/task_graph.h"
#include "kdbench/results/artifacts.h"
#include "kdbench/results/run_record.h"
#include "kdbench/train/prepared_data.h"

namespace kdbench::comm {
class Communicator;  // a gang's; train does not link comm, sched passes it in
}

namespace kdbench::train {

struct EpochReport {
  const grid::Task* task;
  int epoch, total_epochs;
  double train_loss, val_acc, seconds;
};

struct TrainEnv {
  const PreparedData* data = nullptr;
  const results::Artifacts* artifacts = nullptr;
  int rank = 0;
  std::string host;
  int threads = 1;
  std::function<void(const EpochReport&)> on_epoch;  // progress lines
  // Polled at every training-step boundary; true = save state and throw Interrupted.
  // Default (empty): the process-wide stop flag set by SIGTERM/SIGUSR1.
  std::function<bool()> should_stop;
  comm::Communicator* gang = nullptr;  // the task's gang (data parallel) when it has > 1 rank
};

// Seeds of a task: a KD run and its no-KD baseline with the same seed and student model get the
// same initial weights and the same data order (docs/methods.md §1).
uint64_t init_seed(const grid::Task& task);
uint64_t data_seed(const grid::Task& task);

// The fields of a run that follow from its task alone (identity, method, chain, size); the
// coordinator (RUNNING/FAILED records), the worker and the trainer all start from it.
results::RunRecord task_record(const grid::Task& task);

results::RunRecord run_task(const grid::Task& task, const TrainEnv& env);

}  // namespace kdbench::train
