#include "kdbench/methods/continuation.h"

#include <algorithm>

#include "kdbench/core/errors.h"
#include "kdbench/methods/params.h"

namespace kdbench::methods {

int continuation_temperature(int epoch, int anneal_epochs, int t_max) {
  if (epoch < 1 || t_max < 1 || anneal_epochs < t_max)
    throw ConfigError(
        "continuation_temperature: needs epoch >= 1 and anneal_epochs >= t_max >= 1, "
        "got epoch " +
        std::to_string(epoch) + ", anneal_epochs " + std::to_string(anneal_epochs) + ", t_max " +
        std::to_string(t_max));
  const int k = anneal_epochs / t_max;  // epochs per temperature step
  return std::max(1, t_max - (epoch - 1) / k);
}

double continuation_phi(int temperature, int t_max) {
  return 1.0 - static_cast<double>(temperature - 1) / t_max;
}

double continuation_psi(int epoch, PsiSchedule schedule, int psi_epochs, int saturate_after) {
  if (saturate_after > 0 && epoch > saturate_after) return 1.0;
  if (schedule == PsiSchedule::Step) return epoch <= psi_epochs ? 0.0 : 1.0;
  return std::min(static_cast<double>(epoch - 1) / psi_epochs, 1.0);
}

std::unique_ptr<Method> Continuation::create(const ParamMap& raw, const TrainShape& shape) {
  constexpr int kMaxEpochs = 1000000;
  ParamReader reader("continuation", raw);
  ContinuationParams p;
  p.t_max = reader.integer("t_max", p.t_max, 1, kMaxEpochs);
  p.margin = reader.real("margin", p.margin, 0.0, 1e6);
  p.psi = reader.choice("psi", "linear", {"linear", "step"}) == "step" ? PsiSchedule::Step
                                                                       : PsiSchedule::Linear;
  p.psi_epochs = reader.integer("psi_epochs", std::max(1, 3 * shape.epochs / 4), 1, kMaxEpochs);
  p.psi_saturate_after = reader.integer("psi_saturate_after", 0, 0, kMaxEpochs);
  p.anneal_epochs = reader.integer("anneal_epochs", shape.epochs, 1, kMaxEpochs);
  p.reduction = parse_reduction(
      reader.choice("reduction", to_string(p.reduction), {"elementmean", "batchmean"}));
  if (p.anneal_epochs < p.t_max)
    throw ConfigError(reader.where("anneal_epochs") + ": " + std::to_string(p.anneal_epochs) +
                      " is less than t_max = " + std::to_string(p.t_max) +
                      " (T steps down every floor(anneal_epochs / t_max) epochs; anneal_epochs "
                      "defaults to the grid's epochs)");
  auto m = std::make_unique<Continuation>(p);
  m->resolved_ = reader.finish();
  return m;
}

torch::Tensor Continuation::loss(const torch::Tensor& student_logits,
                                 const torch::Tensor& teacher_logits, const torch::Tensor& labels,
                                 const StepContext& ctx) const {
  const int epoch = ctx.epoch.epoch;
  const double phi =
      continuation_phi(continuation_temperature(epoch, p_.anneal_epochs, p_.t_max), p_.t_max);
  const double psi = continuation_psi(epoch, p_.psi, p_.psi_epochs, p_.psi_saturate_after);
  // Terms with weight 0 are left out, so psi in {0, 1} gives exactly one of the two losses.
  torch::Tensor total;
  if (psi > 0.0) total = psi * supervised_loss(student_logits, labels);
  if (psi < 1.0) {
    const auto teacher = required_teacher(student_logits, teacher_logits, "continuation");
    const auto sq = (student_logits - phi * teacher).square();
    const auto per_sample = p_.reduction == Reduction::ElementMean ? sq.mean(1) : sq.sum(1);
    const auto hinge = (per_sample - p_.margin * phi).clamp_min(0.0).mean();
    total = total.defined() ? total + (1.0 - psi) * hinge : (1.0 - psi) * hinge;
  }
  return total;
}

}  // namespace kdbench::methods
