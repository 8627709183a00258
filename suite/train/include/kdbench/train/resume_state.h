#pragma once
// The state of a task interrupted at a training-step boundary, saved atomically as
// <artifacts>/<key>/resume.pt: weights and BN statistics, optimizer (SGD's momentum buffers,
// AdamW's moments and step counts), loop position, the epoch's data order, the data generator's
// and the device's default generator's states, partial epoch sums, the record so far and the best
// weights of the running phase. Resuming from it continues bit for bit: the finished run equals one
// that was never interrupted.
#include <torch/torch.h>

#include <functional>
#include <optional>
#include <string>

#include "kdbench/models/models.h"
#include "kdbench/results/artifacts.h"
#include "kdbench/results/run_record.h"
#include "kdbench/train/net_io.h"

namespace kdbench::train {

constexpr const char* kResumeFile = "resume.pt";
// The finished record (JSON, sealed), written by the trainer after the task's last checkpoint and
// before resume.pt is removed: a job killed before the coordinator recorded the task DONE records
// it from this file at the next start instead of training it again (sched::Coordinator).
constexpr const char* kFinishedFile = "finished.json";

struct LoopPosition {
  int phase = 0;          // index into the method's phases
  int phase_epoch = 1;    // 1-based epoch within the phase, the one in progress
  int epoch = 0;          // epochs completed over the whole run
  int64_t next_step = 0;  // first step of phase_epoch not yet done
};

struct ResumeState {
  LoopPosition pos;
  torch::Tensor order;            // the in-progress epoch's permutation
  torch::Tensor generator_state;  // data generator after the last completed step
  // The training device's default generator (dropout's: BERT) after the last completed step;
  // undefined in files written before it was kept (their image runs never drew from it).
  torch::Tensor device_generator_state;
  double loss_sum = 0;
  int64_t correct = 0;
  double epoch_seconds = 0;   // time spent in the in-progress epoch so far
  double wall_seconds = 0;    // total training time before the interruption
  nlohmann::json best;        // best-val tracker
  results::RunRecord record;  // curves and checkpoint accuracies so far
  std::optional<Snapshot> phase_best;
};

// A second trained network of the task besides the student (Combined-KD's text generator):
// its weights and optimizer state go into resume.pt as "aux_net" and "aux_optimizer".
struct AuxModel {
  models::NetImpl& net;
  torch::optim::Optimizer& optimizer;
};

// Calls `save` with the optimizer's state tensors (SGD's momentum buffers, AdamW's moments) as CPU
// copies, then puts the device tensors back: a state file reads on any device.
void with_cpu_optimizer_state(torch::optim::Optimizer& opt, const std::function<void()>& save);

void save_resume_state(const ResumeState& state, models::NetImpl& net,
                       torch::optim::Optimizer& optimizer, const results::Artifacts& artifacts,
                       const std::string& key, const AuxModel* aux = nullptr);
// Loads into `net` and `optimizer` (already built for the saved phase), and `aux` when given (an
// IoError when the file has none), and returns the rest.
ResumeState load_resume_state(const std::string& path, models::NetImpl& net,
                              torch::optim::Optimizer& optimizer, const AuxModel* aux = nullptr);
// Reads only the loop position (to build the optimizer for the right phase first).
LoopPosition peek_resume_position(const std::string& path);

}  // namespace kdbench::train
