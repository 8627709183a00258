#pragma once
// combined — Combined-KD (Li et al., Findings of EMNLP 2021; docs/methods.md §7), kdbench's vision
// variant "vision-adversarial": Annealing-KD's two stages, with MATE-KD's text augmentation
// replaced by an input-space adversarial perturbation x~ of each batch.
//   x~ : adv_steps signed-gradient ascent steps of size epsilon / adv_steps on
//        MSE(z_s(x~), z_t(x~)) from x~ = x, projected onto the L-inf ball |x~ - x| <= epsilon
//        (epsilon in normalized-input units);
//   stage I : L = 0.5 MSE(z_s(x~), Phi z_t(x~)) + 0.5 MSE(z_s(x), Phi z_t(x))  (Phi as annealing);
//   stage II: L = CE(y, z_s(x)), no teacher, from the best stage-I checkpoint.
// The trainer drives it through Method::input_views() (stage I: {x, x~}; stage II: {x}) and
// Method::loss_on_views(); loss() alone cannot see both views and rejects stage I.
//
// On text (TrainShape::text) the augmentation is the paper's: MATE-KD's masked-LM generator
// (kdbench/methods/mate.h; text_generator() returns its parameters, the trainer runs it), x~ the
// generator's tokens; the same loss_on_views() on {x, x~}. variant() is then "standard".
#include <memory>
#include <vector>

#include "kdbench/methods/annealing.h"

namespace kdbench::methods {

struct CombinedParams {
  AnnealingParams annealing;
  int adv_steps = 1;
  double epsilon = 0.03;
  bool text = false;  // then `mate` holds the augmentation's parameters, adv_steps/epsilon unused
  MateParams mate;
};

// The perturbation x~ above, detached. Differentiates with respect to the input only.
torch::Tensor adversarial_perturbation(const torch::Tensor& x, const ForwardFn& student,
                                       const ForwardFn& teacher, int steps, double epsilon);

class Combined : public Method {
 public:
  static std::unique_ptr<Method> create(const ParamMap& raw, const TrainShape& shape);
  explicit Combined(CombinedParams p) : p_(p) {}
  std::string name() const override { return "combined"; }
  bool uses_teacher() const override { return true; }
  nlohmann::json params_json() const override { return resolved_; }
  std::string variant() const override { return p_.text ? "standard" : "vision-adversarial"; }
  const MateParams* text_generator() const override { return p_.text ? &p_.mate : nullptr; }
  std::vector<Phase> phases(int epochs) const override;  // as Annealing::phases

  bool perturbs_inputs() const override { return true; }
  // x~ in stage I; x itself in stage II (no teacher to attack).
  torch::Tensor perturb_inputs(const torch::Tensor& x, const ForwardFn& student,
                               const ForwardFn& teacher, const StepContext& ctx) const override;
  // Stage I: {x, x~} (clean first); stage II: {x}.
  std::vector<torch::Tensor> input_views(const torch::Tensor& x, const ForwardFn& student,
                                         const ForwardFn& teacher,
                                         const StepContext& ctx) const override;
  torch::Tensor loss_on_views(const std::vector<torch::Tensor>& student_logits,
                              const std::vector<torch::Tensor>& teacher_logits,
                              const torch::Tensor& labels, const StepContext& ctx) const override;
  // Stage II only (CE); stage I throws because it needs both views.
  torch::Tensor loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                     const torch::Tensor& labels, const StepContext& ctx) const override;

 private:
  CombinedParams p_;
  nlohmann::json resolved_;
};

}  // namespace kdbench::methods
