#pragma once
// prokd — Pro-KD (Rezagholizadeh et al., COLING 2022; docs/methods.md §5), kdbench's documented
// reading "trajectory-stretch": the student follows the teacher's training trajectory, the
// teacher's epochs stretched over the student's. At 1-based student epoch e of E_S:
//   teacher epoch c(e) = ceil(e * E_T / E_S), rounded up to a multiple of
//                        teacher_checkpoint_every, capped at E_T (E_T = the final weights);
//   tau_e = tau_max - (tau_max - 1) (e - 1) / (E_S - 1)   (tau_max at e = 1, 1 at e = E_S;
//                                                          E_S = 1 gives 1);
//   L = (1 - alpha) CE(y, z_s) + alpha tau_e^2 KL_batchmean(p_t^tau_e || p_s^tau_e).
#include <memory>
#include <vector>

#include "kdbench/methods/losses.h"
#include "kdbench/methods/method.h"

namespace kdbench::methods {

// c(e) above, as a teacher epoch in 1..E_T (E_T itself means the final weights). ConfigError
// unless every argument is >= 1.
int prokd_teacher_epoch(int epoch, int student_epochs, int teacher_epochs, int every);
// tau_e above. ConfigError unless epoch >= 1 and student_epochs >= 1.
double prokd_temperature(int epoch, int student_epochs, double tau_max);

struct ProkdParams {
  double alpha = 0.9;
  double tau_max = 4.0;
  int teacher_checkpoint_every = 1;
  Reduction reduction = Reduction::BatchMean;
};

class Prokd : public Method {
 public:
  static std::unique_ptr<Method> create(const ParamMap& raw, const TrainShape& shape);
  explicit Prokd(ProkdParams p) : p_(p) {}
  std::string name() const override { return "prokd"; }
  bool uses_teacher() const override { return true; }
  nlohmann::json params_json() const override { return resolved_; }
  std::string variant() const override { return "trajectory-stretch"; }
  // c(ctx.epoch) for E_S = ctx.total_epochs; kFinalCheckpoint when it is E_T.
  int teacher_checkpoint(const EpochContext& ctx, int teacher_epochs) const override;
  // The distinct c(e) < E_T over e = 1..E_S, ascending.
  std::vector<int> required_teacher_checkpoints(int teacher_epochs,
                                                int student_epochs) const override;
  torch::Tensor loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                     const torch::Tensor& labels, const StepContext& ctx) const override;

 private:
  ProkdParams p_;
  nlohmann::json resolved_;
};

}  // namespace kdbench::methods
