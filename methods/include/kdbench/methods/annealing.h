#pragma once
// annealing — Annealing-KD (Jafari et al., EACL 2021; docs/methods.md §4). Two phases:
//   stage I  (E1 epochs, teacher): L = MSE(z_s, Phi * z_t), raw logits, no label term;
//   stage II (E2 epochs, no teacher): L = CE(y, z_s), restarted from the best stage-I checkpoint
//            with a fresh optimizer and LR schedule.
// Phi(e) = min(t / tau_max, 1), t = 1 + floor((e - 1) / k), k = floor(E1 / tau_max), e the
// 1-based stage-I epoch. E1 and E2 default to the grid's epochs, so a run lasts 2 x epochs
// (the official CIFAR README: 200 + 200).
#include <memory>
#include <vector>

#include "kdbench/methods/losses.h"
#include "kdbench/methods/method.h"

namespace kdbench::methods {

class ParamReader;

// The stage-I multiplier of the teacher logits at 1-based stage-I epoch `phase_epoch`.
// Requires e1 >= tau_max >= 1 (so k >= 1) and phase_epoch >= 1; throws ConfigError otherwise.
double annealing_phi(int phase_epoch, int e1, int tau_max);

// The two phases shared by Annealing-KD and Combined-KD.
std::vector<Phase> annealing_phases(int e1, int e2);

struct AnnealingParams {
  int tau_max = 10;
  int stage1_epochs = 0;  // 0 until resolved: defaults to TrainShape::epochs
  int stage2_epochs = 0;
  Reduction reduction = Reduction::ElementMean;
};

// Reads tau_max, stage1_epochs, stage2_epochs, reduction for `method` (annealing or combined)
// and checks stage1_epochs >= tau_max.
AnnealingParams read_annealing_params(ParamReader& reader, const TrainShape& shape);

class Annealing : public Method {
 public:
  static std::unique_ptr<Method> create(const ParamMap& raw, const TrainShape& shape);
  explicit Annealing(AnnealingParams p) : p_(p) {}
  std::string name() const override { return "annealing"; }
  bool uses_teacher() const override { return true; }
  nlohmann::json params_json() const override { return resolved_; }
  // E1 and E2 were resolved from TrainShape::epochs at creation; `epochs` is not used.
  std::vector<Phase> phases(int epochs) const override;
  torch::Tensor loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                     const torch::Tensor& labels, const StepContext& ctx) const override;

 private:
  AnnealingParams p_;
  nlohmann::json resolved_;
};

}  // namespace kdbench::methods
