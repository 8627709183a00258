#pragma once
// continuation — Continuation-KD (Jafari et al., Findings of EMNLP 2022; docs/methods.md §6):
//   L(i) = psi(i) CE(y, z_s) + (1 - psi(i)) mean_b max{0, mean_c (z_s - phi z_t)^2 - m phi}
// at 1-based epoch i: the hinge is taken per sample on the mean-over-classes squared error, then
// averaged over the batch (kdbench's resolution of the paper's ambiguity).
//   phi(T) = 1 - (T - 1) / T_max;  T(i) = max(1, T_max - floor((i - 1) / k)),
//   k = floor(n / T_max), n = anneal_epochs (default: the grid's epochs; clamp T >= 1 because the
//   paper's schedule otherwise reaches T = 0 on the last epoch).
//   psi "linear": psi(i) = min((i - 1) / psi_epochs, 1) (psi(1) = 0; CIFAR's min(i/150, 1) with
//                 i counted from 0, psi_epochs = 150 of n = 200 -> default floor(3n/4));
//   psi "step":   psi(i) = 0 for i <= psi_epochs, 1 after. With margin 0, anneal_epochs =
//                 psi_epochs = E1 and t_max = tau_max this is exactly Annealing-KD's loss sequence.
//   psi_saturate_after = s > 0 sets psi(i) = 1 for i > s (GLUE: psi = i/40 up to i = 20, then 1,
//                 i counted from 0 -> psi linear, psi_epochs = 40, psi_saturate_after = 21).
#include <memory>
#include <string>

#include "kdbench/methods/losses.h"
#include "kdbench/methods/method.h"

namespace kdbench::methods {

enum class PsiSchedule { Linear, Step };

// T(i) above; needs epoch >= 1 and anneal_epochs >= t_max >= 1, ConfigError otherwise.
int continuation_temperature(int epoch, int anneal_epochs, int t_max);
// phi(T) above.
double continuation_phi(int temperature, int t_max);
// psi(i) above; saturate_after = 0 means never.
double continuation_psi(int epoch, PsiSchedule schedule, int psi_epochs, int saturate_after = 0);

struct ContinuationParams {
  int t_max = 20;
  double margin = 1.0;  // no value in the paper
  PsiSchedule psi = PsiSchedule::Linear;
  int psi_epochs = 0;          // 0 until resolved: default floor(3 * epochs / 4), at least 1
  int psi_saturate_after = 0;  // 0: off
  int anneal_epochs = 0;       // 0 until resolved: default epochs
  // elementmean: mean over classes inside the hinge; batchmean: sum over classes.
  Reduction reduction = Reduction::ElementMean;
};

class Continuation : public Method {
 public:
  static std::unique_ptr<Method> create(const ParamMap& raw, const TrainShape& shape);
  explicit Continuation(ContinuationParams p) : p_(p) {}
  std::string name() const override { return "continuation"; }
  bool uses_teacher() const override { return true; }
  nlohmann::json params_json() const override { return resolved_; }
  torch::Tensor loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                     const torch::Tensor& labels, const StepContext& ctx) const override;

 private:
  ContinuationParams p_;
  nlohmann::json resolved_;
};

}  // namespace kdbench::methods
