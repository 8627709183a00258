#pragma once
// dkd — Decoupled KD (Zhao et al., CVPR 2022; docs/methods.md §8), per sample at temperature tau:
//   b = [p_gt, 1 - p_gt]                  TCKD = tau^2 KL(b_t || b_s)
//   p^ = softmax over the non-target classes   NCKD = tau^2 KL(p^_t || p^_s)
//   L = CE(y, z_s) + min(epoch / warmup, 1) (alpha mean_b TCKD + beta mean_b NCKD)   (batchmean)
// The paper's code writes p^ = softmax((z - 1000 onehot(y)) / tau). kdbench drops the target
// class exactly instead (the limit of an infinite offset). The two agree to double precision
// whenever (1000 - (z_gt - max_{c != gt} z_c)) / tau > 37 (the offset leaves the target a
// relative weight below e^-37 < 1e-16), i.e. for any ordinary logits; at logits of 1e4 a fixed
// offset of 1000 no longer masks anything, while the exact mask still does.
// log(1 - p_gt) is computed as logsumexp(non-target) - logsumexp(all), never log(1 - p).
#include <memory>

#include "kdbench/methods/method.h"

namespace kdbench::methods {

// Per-sample TCKD and NCKD (tau^2 included), each of shape [B].
struct DkdTerms {
  torch::Tensor tckd, nckd;
};
DkdTerms dkd_terms(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                   const torch::Tensor& labels, double tau);

// min(epoch / warmup, 1) with 1-based epochs.
double dkd_warmup_factor(int epoch, int warmup);

struct DkdParams {
  double alpha = 1.0;
  double beta = 8.0;
  double temperature = 4.0;
  int warmup = 20;
};

class Dkd : public Method {
 public:
  static std::unique_ptr<Method> create(const ParamMap& raw, const TrainShape& shape);
  explicit Dkd(DkdParams p) : p_(p) {}
  std::string name() const override { return "dkd"; }
  bool uses_teacher() const override { return true; }
  nlohmann::json params_json() const override { return resolved_; }
  torch::Tensor loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                     const torch::Tensor& labels, const StepContext& ctx) const override;

 private:
  DkdParams p_;
  nlohmann::json resolved_;
};

}  // namespace kdbench::methods
