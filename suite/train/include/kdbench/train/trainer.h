#pragma once
// Runs one task of the DAG: trains its model (teacher: cross-entropy; student: its method, phase
// by phase), evaluates on val and test every epoch, keeps the checkpoints the grid needs and
// returns the finished RunRecord. The task's state is saved to <artifacts>/<key>/resume.pt
// (atomic, checksummed) at every epoch boundary, every checkpoint_minutes within an epoch, and on
// a stop request at a step boundary (which then throws Interrupted); the next run_task of the
// same task continues from the last save, bit for bit (a gang stops and resumes as one), so a
// kill -9 loses only the work since then. A damaged resume.pt is ignored with a warning.
// Deterministic on CPU: all randomness derives from the task's seed, so the same task twice gives
// bitwise-identical weights and curves. The step loop never waits for the device: loss sums,
// correct counts and the non-finite check stay on it and are read once per epoch.
#include <functional>
#include <string>

#include "kdbench/comm/communicator.h"
#include "kdbench/core/errors.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/results/artifacts.h"
#include "kdbench/results/run_record.h"
#include "kdbench/train/prepared_data.h"

namespace kdbench::train {

struct EpochReport {
  const grid::Task* task;
  int epoch, total_epochs;
  double train_loss, val_acc, seconds;
  // This epoch is one of task->keep_checkpoints and its weights are on disk under their final
  // name (sealed, renamed, fsynced): students of that checkpoint may read it from now on.
  bool checkpoint_sealed = false;
};

struct TrainEnv {
  // On `device`: prepare() data for the CPU, prepare_uint8() (or float tensors moved there) for
  // a GPU. Model, optimizer state, teacher and evaluation follow it; files stay device-free.
  const PreparedData* data = nullptr;
  torch::Device device{torch::kCPU};
  std::string device_name = "cpu";  // recorded with the run (the GPU's name)
  int64_t device_memory = 0;        // bytes; 0 on the CPU
  const results::Artifacts* artifacts = nullptr;
  int rank = 0;
  std::string host;
  int threads = 1;
  // After every epoch, on the gang's root only (progress lines, the coordinator's progress
  // messages).
  std::function<void(const EpochReport&)> on_epoch;
  // Polled at every training-step boundary; true = save state and throw Interrupted.
  // Default (empty): the process-wide stop flag set by SIGTERM/SIGUSR1.
  std::function<bool()> should_stop;
  // A task trained by a gang of k ranks (docs/design.md, "Gangs"): every member calls run_task
  // with the same task and a communicator of the gang; member m trains its share of every global
  // batch and the gradients are summed over the gang, so the members take the 1-rank run's steps.
  // The gang's rank 0 evaluates, writes checkpoints and resume state and returns the record that
  // counts. Null or a gang of one: single-rank training.
  comm::Communicator* gang = nullptr;
};

// A failure that every member of a gang raises at the same step, agreed through a collective (a
// non-finite loss): the gang reports the task FAILED like a 1-rank run would, where any other
// exception in a gang member ends the job (the others may be waiting in a collective).
class GangAgreedFailure : public Error {
 public:
  using Error::Error;
};

// The loss became NaN or Inf: deterministic (a rerun fails at the same step), so the coordinator
// records it FAILED with its epoch and step and does not retry it.
class NonFiniteLoss : public GangAgreedFailure {
 public:
  NonFiniteLoss(const std::string& what, int epoch, int64_t step)
      : GangAgreedFailure(what), epoch(epoch), step(step) {}
  int epoch;     // 1-based
  int64_t step;  // 1-based within the epoch
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
