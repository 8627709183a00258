#include "kdbench/methods/nokd.h"

#include "kdbench/methods/losses.h"
#include "kdbench/methods/params.h"

namespace kdbench::methods {

std::unique_ptr<Method> NoKd::create(const ParamMap& raw, const TrainShape&) {
  auto m = std::make_unique<NoKd>();
  ParamReader reader("nokd", raw);
  m->params_ = reader.finish();
  return m;
}

torch::Tensor NoKd::loss(const torch::Tensor& student_logits, const torch::Tensor&,
                         const torch::Tensor& labels, const StepContext&) const {
  return supervised_loss(student_logits, labels);
}

}  // namespace kdbench::methods
