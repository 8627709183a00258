#include "kdbench/methods/combined.h"

#include "kdbench/core/errors.h"
#include "kdbench/methods/params.h"

namespace kdbench::methods {

torch::Tensor adversarial_perturbation(const torch::Tensor& x, const ForwardFn& student,
                                       const ForwardFn& teacher, int steps, double epsilon) {
  const auto clean = x.detach();
  const double step = epsilon / steps;
  auto adv = clean.clone();
  for (int s = 0; s < steps; ++s) {
    adv.requires_grad_(true);
    const auto student_logits = student(adv);
    const auto teacher_logits = teacher(adv);
    check_same_logit_shape(student_logits, teacher_logits, "combined");
    const auto objective = torch::mse_loss(student_logits, teacher_logits);
    // Gradient with respect to the input only: parameter .grad fields stay untouched.
    const auto grad = torch::autograd::grad({objective}, {adv})[0];
    adv = (adv.detach() + step * grad.sign());
    adv = torch::minimum(torch::maximum(adv, clean - epsilon), clean + epsilon);
  }
  return adv.detach();
}

namespace {

// The text variant's keys. The generator's name must be a BERT (the grid builds it with
// BertConfig::from_name, whose message names any other rule it breaks).
MateParams read_mate_params(ParamReader& reader) {
  MateParams m;
  m.generator = reader.text("generator", m.generator);
  if (m.generator.rfind("bert-L", 0) != 0)
    throw ConfigError(reader.where("generator") + ": '" + m.generator +
                      "' is not a BERT masked LM (bert-L{layers}-H{hidden}[-A{heads}])");
  m.generator_init = reader.text("generator_init", m.generator_init);
  m.generator_lr = reader.real("generator_lr", m.generator_lr, 0.0, 1.0);
  m.generator_clip = reader.real("generator_clip", m.generator_clip, 0.0, 1e6);
  m.generator_steps = reader.integer("generator_steps", m.generator_steps, 0, 1000000);
  m.student_steps = reader.integer("student_steps", m.student_steps, 1, 1000000);
  m.mask_probability = reader.real("mask_probability", m.mask_probability, 0.0, 1.0);
  if (!(m.mask_probability > 0))
    throw ConfigError(reader.where("mask_probability") +
                      ": 0 is out of range (0, 1] (some tokens must be masked)");
  m.gumbel_tau = reader.real("gumbel_tau", m.gumbel_tau, 1e-3, 1e3);
  return m;
}

}  // namespace

std::unique_ptr<Method> Combined::create(const ParamMap& raw, const TrainShape& shape) {
  ParamReader reader("combined", raw);
  CombinedParams p;
  p.annealing = read_annealing_params(reader, shape);
  p.text = shape.text;
  if (p.text) {
    p.mate = read_mate_params(reader);
  } else {
    p.adv_steps = reader.integer("adv_steps", p.adv_steps, 1, 1000);
    p.epsilon = reader.real("epsilon", p.epsilon, 0.0, 1e3);
  }
  auto m = std::make_unique<Combined>(p);
  m->resolved_ = reader.finish();
  return m;
}

std::vector<Phase> Combined::phases(int) const {
  return annealing_phases(p_.annealing.stage1_epochs, p_.annealing.stage2_epochs);
}

torch::Tensor Combined::perturb_inputs(const torch::Tensor& x, const ForwardFn& student,
                                       const ForwardFn& teacher, const StepContext& ctx) const {
  if (ctx.epoch.phase_index > 0 || !teacher) return x;
  torch::AutoGradMode enable_grad(true);  // the trainer may call us under a NoGradGuard
  return adversarial_perturbation(x, student, teacher, p_.adv_steps, p_.epsilon);
}

std::vector<torch::Tensor> Combined::input_views(const torch::Tensor& x, const ForwardFn& student,
                                                 const ForwardFn& teacher,
                                                 const StepContext& ctx) const {
  if (ctx.epoch.phase_index > 0) return {x};
  return {x, perturb_inputs(x, student, teacher, ctx)};
}

torch::Tensor Combined::loss_on_views(const std::vector<torch::Tensor>& student_logits,
                                      const std::vector<torch::Tensor>& teacher_logits,
                                      const torch::Tensor& labels, const StepContext& ctx) const {
  if (student_logits.empty()) throw MethodError("combined: the trainer passed no student logits");
  if (ctx.epoch.phase_index > 0) return cross_entropy(student_logits.front(), labels);
  if (student_logits.size() != 2 || teacher_logits.size() != 2)
    throw MethodError("combined: stage I needs logits of 2 views (clean, perturbed), got " +
                      std::to_string(student_logits.size()) + " student and " +
                      std::to_string(teacher_logits.size()) + " teacher views");
  const auto& a = p_.annealing;
  const double phi = annealing_phi(ctx.epoch.phase_epoch, a.stage1_epochs, a.tau_max);
  const auto clean_teacher = required_teacher(student_logits[0], teacher_logits[0], "combined");
  const auto perturbed_teacher = required_teacher(student_logits[1], teacher_logits[1], "combined");
  const auto clean = mse(student_logits[0], phi * clean_teacher, a.reduction);
  const auto perturbed = mse(student_logits[1], phi * perturbed_teacher, a.reduction);
  return 0.5 * perturbed + 0.5 * clean;
}

torch::Tensor Combined::loss(const torch::Tensor& student_logits, const torch::Tensor&,
                             const torch::Tensor& labels, const StepContext& ctx) const {
  if (ctx.epoch.phase_index > 0) return cross_entropy(student_logits, labels);
  throw MethodError(
      "combined: stage I needs the clean and perturbed views; call loss_on_views() "
      "(Method::perturbs_inputs() is true)");
}

}  // namespace kdbench::methods
