#pragma once
// nokd — the baseline: CE(y, z_s) only (docs/methods.md §1).
#include <memory>

#include "kdbench/methods/method.h"

namespace kdbench::methods {

class NoKd : public Method {
 public:
  static std::unique_ptr<Method> create(const ParamMap& raw, const TrainShape& shape);
  std::string name() const override { return "nokd"; }
  bool uses_teacher() const override { return false; }
  nlohmann::json params_json() const override { return params_; }
  torch::Tensor loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                     const torch::Tensor& labels, const StepContext& ctx) const override;

 private:
  nlohmann::json params_;
};

}  // namespace kdbench::methods
