#include "kdbench/methods/dist.h"

#include "kdbench/core/errors.h"
#include "kdbench/methods/losses.h"
#include "kdbench/methods/params.h"

namespace kdbench::methods {

torch::Tensor mean_row_pearson(const torch::Tensor& a, const torch::Tensor& b, double eps) {
  const auto ca = a - a.mean(1, true);
  const auto cb = b - b.mean(1, true);
  // norm() has a zero subgradient at 0 (a constant row), where sqrt(sum(x^2)) would give NaN.
  const auto denom = ca.norm(2, 1) * cb.norm(2, 1) + eps;
  return ((ca * cb).sum(1) / denom).mean();
}

std::unique_ptr<Method> Dist::create(const ParamMap& raw, const TrainShape& shape) {
  ParamReader reader("dist", raw);
  DistParams p;
  p.beta = reader.real("beta", p.beta, 0.0, 1e3);
  p.gamma = reader.real("gamma", p.gamma, 0.0, 1e3);
  p.temperature = reader.real("temperature", p.temperature, 1e-3, 1e3);
  p.eps = reader.real("eps", p.eps, 0.0, 1e-2);
  reader.choice("reduction", "mean", {"mean"});  // recorded: CE and both relations are means
  if (shape.regression)
    throw ConfigError(
        "[method.dist] correlates class probabilities and needs class labels; this dataset is a "
        "regression task (one real-valued output): use nokd, kd, takd, annealing, prokd or "
        "continuation");
  if (shape.batch_size < 2)
    throw ConfigError(
        "[method.dist] needs batch_size >= 2 (its intra-class term correlates each "
        "class across the batch), got batch_size = " +
        std::to_string(shape.batch_size));
  auto m = std::make_unique<Dist>(p);
  m->resolved_ = reader.finish();
  return m;
}

torch::Tensor Dist::inter(const torch::Tensor& student_logits,
                          const torch::Tensor& teacher_logits) const {
  const double tau = p_.temperature;
  return 1.0 - mean_row_pearson(torch::softmax(student_logits / tau, 1),
                                torch::softmax(teacher_logits / tau, 1), p_.eps);
}

torch::Tensor Dist::intra(const torch::Tensor& student_logits,
                          const torch::Tensor& teacher_logits) const {
  const double tau = p_.temperature;
  return 1.0 - mean_row_pearson(torch::softmax(student_logits / tau, 1).t(),
                                torch::softmax(teacher_logits / tau, 1).t(), p_.eps);
}

torch::Tensor Dist::loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                         const torch::Tensor& labels, const StepContext&) const {
  const auto teacher = required_teacher(student_logits, teacher_logits, "dist");
  const double tau2 = p_.temperature * p_.temperature;
  return cross_entropy(student_logits, labels) + tau2 * (p_.beta * inter(student_logits, teacher) +
                                                         p_.gamma * intra(student_logits, teacher));
}

}  // namespace kdbench::methods
