#pragma once
// kd — Hinton et al. 2015 (docs/methods.md §2):
//   L = (1 - alpha) CE(y, z_s) + alpha tau^2 KL(p_t^tau || p_s^tau), reduction batchmean.
#include <memory>

#include "kdbench/methods/losses.h"
#include "kdbench/methods/method.h"

namespace kdbench::methods {

struct KdParams {
  double temperature = 4.0;
  double alpha = 0.9;
  Reduction reduction = Reduction::BatchMean;
};

class Kd : public Method {
 public:
  static std::unique_ptr<Method> create(const ParamMap& raw, const TrainShape& shape);
  explicit Kd(KdParams p) : p_(p) {}
  std::string name() const override { return "kd"; }
  bool uses_teacher() const override { return true; }
  nlohmann::json params_json() const override { return resolved_; }
  torch::Tensor loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                     const torch::Tensor& labels, const StepContext& ctx) const override;

 private:
  KdParams p_;
  nlohmann::json resolved_;
};

}  // namespace kdbench::methods
