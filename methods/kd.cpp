#include "kdbench/methods/kd.h"

#include "kdbench/methods/params.h"

namespace kdbench::methods {

std::unique_ptr<Method> Kd::create(const ParamMap& raw, const TrainShape&) {
  ParamReader reader("kd", raw);
  KdParams p;
  p.temperature = reader.real("temperature", p.temperature, 1e-3, 1e3);
  p.alpha = reader.real("alpha", p.alpha, 0.0, 1.0);
  p.reduction =
      parse_reduction(reader.choice("reduction", "batchmean", {"batchmean", "elementmean"}));
  auto m = std::make_unique<Kd>(p);
  m->resolved_ = reader.finish();
  return m;
}

torch::Tensor Kd::loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                       const torch::Tensor& labels, const StepContext&) const {
  const double tau = p_.temperature;
  const auto teacher = required_teacher(student_logits, teacher_logits, "kd");
  if (is_regression(labels))
    return (1.0 - p_.alpha) * regression_mse(student_logits, labels) +
           p_.alpha * output_mse(student_logits, teacher);
  auto soft = kl_div_with_temperature(student_logits, teacher, tau, p_.reduction);
  return (1.0 - p_.alpha) * cross_entropy(student_logits, labels) + p_.alpha * tau * tau * soft;
}

}  // namespace kdbench::methods
