#include "kdbench/methods/dkd.h"

#include <algorithm>

#include "kdbench/core/errors.h"
#include "kdbench/methods/losses.h"
#include "kdbench/methods/params.h"

namespace kdbench::methods {
namespace {

// sum over the last dim of p (log p - log q) with p = exp(log_p); p = 0 terms are 0.
torch::Tensor kl_rows(const torch::Tensor& log_p, const torch::Tensor& log_q) {
  const auto p = log_p.exp();
  return torch::where(p > 0, p * (log_p - log_q), torch::zeros_like(p)).sum(-1);
}

// log [p_gt, 1 - p_gt] and log p^ (non-target softmax, [B, C-1]) of logits / tau.
struct Split {
  torch::Tensor log_binary, log_non_target;
};

Split split(const torch::Tensor& logits, const torch::Tensor& target_mask, double tau) {
  const auto scaled = logits / tau;
  const int64_t batch = scaled.size(0);
  const auto non_target = scaled.masked_select(target_mask.logical_not()).view({batch, -1});
  const auto target = scaled.masked_select(target_mask);
  const auto lse_all = torch::logsumexp(scaled, 1);
  const auto lse_non_target = torch::logsumexp(non_target, 1);
  const auto log_binary = torch::stack({target - lse_all, lse_non_target - lse_all}, 1);
  return {log_binary, torch::log_softmax(non_target, 1)};
}

}  // namespace

DkdTerms dkd_terms(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                   const torch::Tensor& labels, double tau) {
  const auto target_mask =
      torch::zeros_like(student_logits, torch::kBool).scatter_(1, labels.view({-1, 1}), true);
  const Split s = split(student_logits, target_mask, tau);
  const Split t = split(teacher_logits, target_mask, tau);
  const double tau2 = tau * tau;
  return {tau2 * kl_rows(t.log_binary, s.log_binary),
          tau2 * kl_rows(t.log_non_target, s.log_non_target)};
}

double dkd_warmup_factor(int epoch, int warmup) {
  return std::min(static_cast<double>(epoch) / warmup, 1.0);
}

std::unique_ptr<Method> Dkd::create(const ParamMap& raw, const TrainShape& shape) {
  ParamReader reader("dkd", raw);
  DkdParams p;
  p.alpha = reader.real("alpha", p.alpha, 0.0, 1e3);
  p.beta = reader.real("beta", p.beta, 0.0, 1e3);
  p.temperature = reader.real("temperature", p.temperature, 1e-3, 1e3);
  p.warmup = reader.integer("warmup", p.warmup, 1, 1000000);
  reader.choice("reduction", "batchmean", {"batchmean"});  // recorded; the paper's only form
  if (shape.regression)
    throw ConfigError(
        "[method.dkd] decouples the target class from the others and needs class labels; this "
        "dataset is a regression task (one real-valued output): use nokd, kd, takd, annealing, "
        "prokd or continuation");
  if (shape.num_classes < 2)
    throw ConfigError("[method.dkd] needs at least 2 classes (target vs non-target), got " +
                      std::to_string(shape.num_classes));
  auto m = std::make_unique<Dkd>(p);
  m->resolved_ = reader.finish();
  return m;
}

torch::Tensor Dkd::loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                        const torch::Tensor& labels, const StepContext& ctx) const {
  const auto teacher = required_teacher(student_logits, teacher_logits, "dkd");
  const DkdTerms terms = dkd_terms(student_logits, teacher, labels, p_.temperature);
  const double warm = dkd_warmup_factor(ctx.epoch.epoch, p_.warmup);
  return cross_entropy(student_logits, labels) +
         warm * (p_.alpha * terms.tckd.mean() + p_.beta * terms.nckd.mean());
}

}  // namespace kdbench::methods
