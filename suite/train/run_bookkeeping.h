#pragma once
// Internal to kdbench_train: what a task's training keeps besides weights and optimizer state —
// the best-validation bookkeeping (saved in resume.pt) and the per-epoch sums kept on the device.
#include <torch/torch.h>

#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "kdbench/methods/method.h"
#include "kdbench/results/run_record.h"
#include "kdbench/train/net_io.h"
#include "kdbench/train/trainer.h"

namespace kdbench::train::detail {

// Best-validation bookkeeping over the whole run, plus the best weights of the running phase
// when the next phase restarts from them (Annealing-KD's stage II). The data's metric selects
// (accuracy for images: the same numbers as ever); accuracy is kept at the selected epoch too.
struct Best {
  static constexpr double kNone = std::numeric_limits<double>::lowest();  // MCC can be < 0
  double val = kNone, test_at_val = 0, best_test = kNone;                 // the metric
  double val_acc = 0, test_acc_at_val = 0, best_test_acc = 0;
  int epoch = 0;
  int64_t step = 0;  // the best point's global step when eval_steps > 0, else 0
  double phase_val = kNone;
  std::optional<Snapshot> phase_weights;
  nlohmann::json to_json() const {
    return {{"val", val},
            {"test_at_val", test_at_val},
            {"best_test", best_test},
            {"val_acc", val_acc},
            {"test_acc_at_val", test_acc_at_val},
            {"best_test_acc", best_test_acc},
            {"epoch", epoch},
            {"step", step},
            {"phase_val", phase_val}};
  }
  // Resume files of image runs from before metrics were kept hold accuracy only: the same.
  void from_json(const nlohmann::json& j) {
    val = j.at("val"), test_at_val = j.at("test_at_val"), best_test = j.at("best_test");
    val_acc = j.value("val_acc", val), test_acc_at_val = j.value("test_acc_at_val", test_at_val);
    best_test_acc = j.value("best_test_acc", best_test);
    epoch = j.at("epoch"), phase_val = j.at("phase_val");
    step = j.value("step", int64_t{0});  // older resume files: no evaluations between epochs
  }
};

// One evaluation of the weights: accuracies and the data's metric on validation and test.
struct EvalPoint {
  double val_acc = 0, test_acc = 0, val = 0, test = 0;
};

// Per-epoch sums kept on the device, so that no training step waits for it (docs/design.md,
// "Devices and precision"). The loss is summed in float64 as the CPU always did (bitwise the same
// curve); the first non-finite loss and its step are kept for the error message.
struct EpochSums {
  torch::Tensor loss, correct, bad_step, bad_loss;
  EpochSums(const torch::Device& device, double loss_sum, int64_t correct_count) {
    const auto on = torch::TensorOptions().device(device);
    loss = torch::full({}, loss_sum, on.dtype(torch::kDouble));
    correct = torch::full({}, correct_count, on.dtype(torch::kLong));
    bad_step = torch::full({}, -1, on.dtype(torch::kLong));
    bad_loss = torch::zeros({}, on.dtype(torch::kDouble));
  }
  void add(const torch::Tensor& step_loss, const torch::Tensor& logits, const torch::Tensor& y,
           int64_t step) {
    const auto l = step_loss.detach().to(torch::kDouble);
    loss.add_(l * y.size(0));
    // Float targets (regression) have no class to be correct about: nothing to count.
    if (!y.is_floating_point()) correct.add_(logits.argmax(1).eq(y).sum());
    const auto first_bad = l.isfinite().logical_not().logical_and(bad_step.lt(0));
    bad_step.masked_fill_(first_bad, step);
    bad_loss = torch::where(first_bad, l, bad_loss);
  }
};

// The record's summary at the end of a run (solo or fused): DONE, where it ran, the best point
// and final scores, `wall_seconds`; warns when training collapsed to chance level.
// The task's method as the grid configured it (a teacher trains with nokd), made against the
// data's shape: classes, regression, text. Shared by the solo and the fused trainer.
std::unique_ptr<methods::Method> method_of(const grid::Task& task, const PreparedData& data);

// DONE, where it ran (rank, host, device, threads), when it finished and how long it took: every
// finished task's record, whatever its kind (training runs and masked-LM pretraining).
void stamp_done(results::RunRecord& rec, const TrainEnv& env, double wall_seconds);

void finish_record(results::RunRecord& rec, const Best& best, const PreparedData& data,
                   const TrainEnv& env, double wall_seconds, const std::string& label);
// The finished record as the task's last checkpoint (kFinishedFile), until the coordinator
// records it.
void write_finished(const results::Artifacts& artifacts, const std::string& key,
                    const results::RunRecord& rec);

}  // namespace kdbench::train::detail
