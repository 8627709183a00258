#include "kdbench/methods/losses.h"

#include <sstream>

#include "kdbench/core/errors.h"

namespace kdbench::methods {

Reduction parse_reduction(const std::string& text) {
  if (text == "batchmean") return Reduction::BatchMean;
  if (text == "elementmean") return Reduction::ElementMean;
  throw ConfigError("reduction: '" + text + "' is not allowed (allowed: batchmean elementmean)");
}

std::string to_string(Reduction r) {
  return r == Reduction::BatchMean ? "batchmean" : "elementmean";
}

torch::Tensor cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels) {
  return torch::nll_loss(torch::log_softmax(logits, 1), labels);
}

bool is_regression(const torch::Tensor& labels) { return labels.is_floating_point(); }

torch::Tensor regression_mse(const torch::Tensor& outputs, const torch::Tensor& targets) {
  if (outputs.dim() != 2 || outputs.size(1) != 1 || targets.dim() != 1 ||
      outputs.size(0) != targets.size(0)) {
    std::ostringstream os;
    os << "regression: expected B x 1 outputs and B targets, got outputs " << outputs.sizes()
       << " and targets " << targets.sizes();
    throw MethodError(os.str());
  }
  return (outputs.squeeze(1) - targets).square().mean();
}

torch::Tensor supervised_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  return is_regression(labels) ? regression_mse(logits, labels) : cross_entropy(logits, labels);
}

torch::Tensor output_mse(const torch::Tensor& student_outputs,
                         const torch::Tensor& teacher_outputs) {
  return (student_outputs - teacher_outputs).square().mean();
}

torch::Tensor kl_div_with_temperature(const torch::Tensor& student_logits,
                                      const torch::Tensor& teacher_logits, double tau,
                                      Reduction reduction) {
  const auto log_ps = torch::log_softmax(student_logits / tau, 1);
  const auto log_pt = torch::log_softmax(teacher_logits / tau, 1);
  const auto pt = log_pt.exp();
  // p_t (log p_t - log p_s); where p_t underflows to 0 the term is exactly 0 (no 0 * -inf).
  const auto terms = torch::where(pt > 0, pt * (log_pt - log_ps), torch::zeros_like(pt));
  const auto total = terms.sum();
  const double denom = reduction == Reduction::BatchMean
                           ? static_cast<double>(student_logits.size(0))
                           : static_cast<double>(student_logits.numel());
  return total / denom;
}

torch::Tensor mse(const torch::Tensor& a, const torch::Tensor& b, Reduction reduction) {
  const auto sq = (a - b).square();
  return reduction == Reduction::ElementMean ? sq.mean()
                                             : sq.sum() / static_cast<double>(a.size(0));
}

void check_same_logit_shape(const torch::Tensor& student_logits,
                            const torch::Tensor& teacher_logits, const std::string& method) {
  if (student_logits.sizes().equals(teacher_logits.sizes())) return;
  std::ostringstream os;
  os << method << ": teacher logits have shape " << teacher_logits.sizes() << " but student logits "
     << student_logits.sizes() << " (teacher and student must predict the same classes)";
  throw MethodError(os.str());
}

torch::Tensor required_teacher(const torch::Tensor& student_logits,
                               const torch::Tensor& teacher_logits, const std::string& method) {
  if (!teacher_logits.defined())
    throw MethodError(method + ": this phase needs teacher logits but the trainer passed none");
  check_same_logit_shape(student_logits, teacher_logits, method);
  return teacher_logits.detach();
}

}  // namespace kdbench::methods
