#include "kdbench/methods/prokd.h"

#include <algorithm>

#include "kdbench/core/errors.h"
#include "kdbench/methods/params.h"

namespace kdbench::methods {

int prokd_teacher_epoch(int epoch, int student_epochs, int teacher_epochs, int every) {
  if (epoch < 1 || student_epochs < 1 || teacher_epochs < 1 || every < 1)
    throw ConfigError("prokd_teacher_epoch: epochs and every must be >= 1, got epoch " +
                      std::to_string(epoch) + ", student_epochs " + std::to_string(student_epochs) +
                      ", teacher_epochs " + std::to_string(teacher_epochs) + ", every " +
                      std::to_string(every));
  const int64_t e = std::min(epoch, student_epochs);
  const int64_t stretched = (e * teacher_epochs + student_epochs - 1) / student_epochs;  // ceil
  const int64_t on_grid = (stretched + every - 1) / every * every;  // the next saved checkpoint
  return static_cast<int>(std::min<int64_t>(on_grid, teacher_epochs));
}

double prokd_temperature(int epoch, int student_epochs, double tau_max) {
  if (epoch < 1 || student_epochs < 1)
    throw ConfigError("prokd_temperature: epochs must be >= 1, got epoch " + std::to_string(epoch) +
                      ", student_epochs " + std::to_string(student_epochs));
  if (student_epochs == 1) return 1.0;
  const double progress =
      static_cast<double>(std::min(epoch, student_epochs) - 1) / (student_epochs - 1);
  return tau_max - (tau_max - 1.0) * progress;
}

std::unique_ptr<Method> Prokd::create(const ParamMap& raw, const TrainShape&) {
  ParamReader reader("prokd", raw);
  ProkdParams p;
  p.alpha = reader.real("alpha", p.alpha, 0.0, 1.0);
  p.tau_max = reader.real("tau_max", p.tau_max, 1.0, 1e3);
  p.teacher_checkpoint_every =
      reader.integer("teacher_checkpoint_every", p.teacher_checkpoint_every, 1, 1000000);
  p.reduction = parse_reduction(
      reader.choice("reduction", to_string(p.reduction), {"batchmean", "elementmean"}));
  auto m = std::make_unique<Prokd>(p);
  m->resolved_ = reader.finish();
  return m;
}

int Prokd::teacher_checkpoint(const EpochContext& ctx, int teacher_epochs) const {
  const int c =
      prokd_teacher_epoch(ctx.epoch, ctx.total_epochs, teacher_epochs, p_.teacher_checkpoint_every);
  return c == teacher_epochs ? kFinalCheckpoint : c;
}

std::vector<int> Prokd::required_teacher_checkpoints(int teacher_epochs, int student_epochs) const {
  std::vector<int> out;
  for (int e = 1; e <= student_epochs; ++e) {
    const int c =
        prokd_teacher_epoch(e, student_epochs, teacher_epochs, p_.teacher_checkpoint_every);
    if (c < teacher_epochs && (out.empty() || out.back() != c)) out.push_back(c);  // c(e) rises
  }
  return out;
}

torch::Tensor Prokd::loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                          const torch::Tensor& labels, const StepContext& ctx) const {
  const double tau = prokd_temperature(ctx.epoch.epoch, ctx.epoch.total_epochs, p_.tau_max);
  const auto teacher = required_teacher(student_logits, teacher_logits, "prokd");
  // The temperature schedule has nothing to soften on one output; the checkpoint walk remains.
  if (is_regression(labels))
    return (1.0 - p_.alpha) * regression_mse(student_logits, labels) +
           p_.alpha * output_mse(student_logits, teacher);
  const auto soft = kl_div_with_temperature(student_logits, teacher, tau, p_.reduction);
  return (1.0 - p_.alpha) * cross_entropy(student_logits, labels) + p_.alpha * tau * tau * soft;
}

}  // namespace kdbench::methods
