#include "kdbench/methods/takd.h"

#include "kdbench/methods/params.h"

namespace kdbench::methods {

std::unique_ptr<Method> Takd::create(const ParamMap& raw, const TrainShape&) {
  ParamReader reader("takd", raw);
  TakdParams p;
  p.lambda = reader.real("lambda", p.lambda, 0.0, 1.0);
  p.temperature = reader.real("temperature", p.temperature, 1e-3, 1e3);
  p.reduction = parse_reduction(
      reader.choice("reduction", to_string(p.reduction), {"elementmean", "batchmean"}));
  reader.accept_unrecorded("assistants");
  auto m = std::make_unique<Takd>(p);
  m->resolved_ = reader.finish();
  return m;
}

torch::Tensor Takd::loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                         const torch::Tensor& labels, const StepContext&) const {
  const double tau = p_.temperature;
  const auto teacher = required_teacher(student_logits, teacher_logits, "takd");
  if (is_regression(labels))
    return (1.0 - p_.lambda) * regression_mse(student_logits, labels) +
           p_.lambda * output_mse(student_logits, teacher);
  const auto soft = kl_div_with_temperature(student_logits, teacher, tau, p_.reduction);
  return (1.0 - p_.lambda) * cross_entropy(student_logits, labels) + p_.lambda * tau * tau * soft;
}

}  // namespace kdbench::methods
