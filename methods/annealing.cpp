#include "kdbench/methods/annealing.h"

#include "kdbench/core/errors.h"
#include "kdbench/methods/params.h"

namespace kdbench::methods {

double annealing_phi(int phase_epoch, int e1, int tau_max) {
  if (tau_max < 1 || e1 < tau_max || phase_epoch < 1)
    throw ConfigError(
        "annealing_phi: needs phase_epoch >= 1 and e1 >= tau_max >= 1, got "
        "phase_epoch " +
        std::to_string(phase_epoch) + ", e1 " + std::to_string(e1) + ", tau_max " +
        std::to_string(tau_max));
  const int k = e1 / tau_max;               // epochs per step of t
  const int t = 1 + (phase_epoch - 1) / k;  // t = 1 on epochs 1..k, 2 on k+1..2k, ...
  return t >= tau_max ? 1.0 : static_cast<double>(t) / tau_max;
}

std::vector<Phase> annealing_phases(int e1, int e2) {
  Phase stage1;
  stage1.name = "stage1";
  stage1.epochs = e1;
  stage1.uses_teacher = true;
  Phase stage2;
  stage2.name = "stage2";
  stage2.epochs = e2;
  stage2.uses_teacher = false;
  stage2.start_from_best_of_previous = true;
  stage2.fresh_optimizer = true;
  return {stage1, stage2};
}

AnnealingParams read_annealing_params(ParamReader& reader, const TrainShape& shape) {
  constexpr int kMaxEpochs = 1000000;
  AnnealingParams p;
  p.tau_max = reader.integer("tau_max", p.tau_max, 1, kMaxEpochs);
  p.stage1_epochs = reader.integer("stage1_epochs", shape.epochs, 1, kMaxEpochs);
  p.stage2_epochs = reader.integer("stage2_epochs", shape.epochs, 1, kMaxEpochs);
  p.reduction = parse_reduction(
      reader.choice("reduction", to_string(p.reduction), {"elementmean", "batchmean"}));
  // k = floor(E1 / tau_max) must be >= 1, otherwise Phi would never reach 1 within stage I.
  if (p.stage1_epochs < p.tau_max)
    throw ConfigError(reader.where("stage1_epochs") + ": " + std::to_string(p.stage1_epochs) +
                      " is less than tau_max = " + std::to_string(p.tau_max) +
                      " (stage I must last at least tau_max epochs; it defaults to the grid's "
                      "epochs)");
  return p;
}

std::unique_ptr<Method> Annealing::create(const ParamMap& raw, const TrainShape& shape) {
  ParamReader reader("annealing", raw);
  auto m = std::make_unique<Annealing>(read_annealing_params(reader, shape));
  m->resolved_ = reader.finish();
  return m;
}

std::vector<Phase> Annealing::phases(int) const {
  return annealing_phases(p_.stage1_epochs, p_.stage2_epochs);
}

torch::Tensor Annealing::loss(const torch::Tensor& student_logits,
                              const torch::Tensor& teacher_logits, const torch::Tensor& labels,
                              const StepContext& ctx) const {
  // Stage II learns from the labels alone (MSE to the targets on a regression task); stage I's
  // MSE to the annealed teacher outputs is the same formula on one output.
  if (ctx.epoch.phase_index > 0) return supervised_loss(student_logits, labels);
  const double phi = annealing_phi(ctx.epoch.phase_epoch, p_.stage1_epochs, p_.tau_max);
  const auto teacher = required_teacher(student_logits, teacher_logits, "annealing");
  return mse(student_logits, phi * teacher, p_.reduction);
}

}  // namespace kdbench::methods
