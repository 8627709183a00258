#pragma once
// takd — Teacher Assistant KD (Mirzadeh et al., AAAI 2020; docs/methods.md §3). This class is the
// loss of one link of the chain T -> TA_1 -> ... -> S:
//   L = (1 - lambda) CE(y, z_s) + lambda tau^2 KL(p_t^tau || p_s^tau),
// with the official code's reduction, elementmean (its KD term is 1/C of the batchmean one).
// The chain itself (`assistants`) is expanded into tasks by the grid code; the key is accepted
// here and not recorded, because the upstream chain is part of the task's teacher key.
#include <memory>

#include "kdbench/methods/losses.h"
#include "kdbench/methods/method.h"

namespace kdbench::methods {

struct TakdParams {
  double lambda = 0.5;  // author-reported CIFAR-100 ResNet-110 -> ResNet-20 link
  double temperature = 5.0;
  Reduction reduction = Reduction::ElementMean;
};

class Takd : public Method {
 public:
  static std::unique_ptr<Method> create(const ParamMap& raw, const TrainShape& shape);
  explicit Takd(TakdParams p) : p_(p) {}
  std::string name() const override { return "takd"; }
  bool uses_teacher() const override { return true; }
  nlohmann::json params_json() const override { return resolved_; }
  torch::Tensor loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                     const torch::Tensor& labels, const StepContext& ctx) const override;

 private:
  TakdParams p_;
  nlohmann::json resolved_;
};

}  // namespace kdbench::methods
