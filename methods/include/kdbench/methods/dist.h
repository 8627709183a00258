#pragma once
// dist — DIST (Huang et al., NeurIPS 2022; docs/methods.md §9), as in the official code:
//   Y = softmax(z / tau); rho(a, b) = <a - mean a, b - mean b> / (|a - mean a| |b - mean b| + eps)
//   inter = 1 - mean_i rho(Y_s[i,:], Y_t[i,:])    (rows: one sample's class distribution)
//   intra = 1 - mean_j rho(Y_s[:,j], Y_t[:,j])    (columns: one class across the batch)
//   L = CE(y, z_s) + tau^2 (beta inter + gamma intra)
// intra needs batch >= 2 (checked against train.batch_size). A batch of 1 that still reaches the
// loss (e.g. a ragged last batch) gets rho = 0 for every column: intra = 1, no gradient.
#include <memory>

#include "kdbench/methods/method.h"

namespace kdbench::methods {

// mean over rows of rho(a[i,:], b[i,:]) as above.
torch::Tensor mean_row_pearson(const torch::Tensor& a, const torch::Tensor& b, double eps);

struct DistParams {
  double beta = 2.0;
  double gamma = 2.0;
  double temperature = 4.0;
  double eps = 1e-8;
};

class Dist : public Method {
 public:
  static std::unique_ptr<Method> create(const ParamMap& raw, const TrainShape& shape);
  explicit Dist(DistParams p) : p_(p) {}
  std::string name() const override { return "dist"; }
  bool uses_teacher() const override { return true; }
  nlohmann::json params_json() const override { return resolved_; }
  // The two relation terms without tau^2 and weights (for tests and diagnostics).
  torch::Tensor inter(const torch::Tensor& student_logits,
                      const torch::Tensor& teacher_logits) const;
  torch::Tensor intra(const torch::Tensor& student_logits,
                      const torch::Tensor& teacher_logits) const;
  torch::Tensor loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                     const torch::Tensor& labels, const StepContext& ctx) const override;

 private:
  DistParams p_;
  nlohmann::json resolved_;
};

}  // namespace kdbench::methods
