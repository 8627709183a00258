#include "kdbench/train/optimizer.h"

#include "kdbench/core/errors.h"

namespace kdbench::train {
namespace {

std::unique_ptr<torch::optim::Optimizer> make_adamw(models::NetImpl& net,
                                                    const grid::TrainConfig& c) {
  // Hugging Face's BERT recipe exempts parameters named "bias" and "LayerNorm.weight" from weight
  // decay; by shape that is every parameter with fewer than 2 dimensions, which also covers the
  // BatchNorm affine parameters of the CNNs and needs no naming convention.
  std::vector<torch::Tensor> decay, no_decay;
  for (const auto& p : net.parameters()) (p.dim() >= 2 ? decay : no_decay).push_back(p);
  const auto options = torch::optim::AdamWOptions(c.lr)
                           .betas(std::make_tuple(c.adam_beta1, c.adam_beta2))
                           .eps(c.adam_eps)
                           .weight_decay(c.weight_decay);
  std::vector<torch::optim::OptimizerParamGroup> groups;  // an empty group is left out
  if (!decay.empty())
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(options));
  if (!no_decay.empty())
    groups.emplace_back(no_decay, std::make_unique<torch::optim::AdamWOptions>(
                                      torch::optim::AdamWOptions(options).weight_decay(0)));
  return std::make_unique<torch::optim::AdamW>(std::move(groups), options);
}

}  // namespace

std::unique_ptr<torch::optim::Optimizer> make_optimizer(models::NetImpl& net,
                                                        const grid::TrainConfig& c) {
  if (c.optimizer == "adamw") return make_adamw(net, c);
  if (c.optimizer != "sgd") throw ConfigError("unknown optimizer '" + c.optimizer + "'");
  return std::make_unique<torch::optim::SGD>(net.parameters(), torch::optim::SGDOptions(c.lr)
                                                                   .momentum(c.momentum)
                                                                   .weight_decay(c.weight_decay)
                                                                   .nesterov(c.nesterov));
}

void set_lr(torch::optim::Optimizer& opt, double lr) {
  for (auto& group : opt.param_groups()) group.options().set_lr(lr);
}

void clip_gradients(const std::vector<torch::Tensor>& params, double max_norm) {
  std::vector<torch::Tensor> grads, norms;
  for (const auto& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return;
  for (const auto& g : grads) norms.push_back(g.detach().norm(2));
  const auto total = norms.size() == 1 ? norms[0] : torch::stack(norms).norm(2);
  const auto coef = torch::clamp(max_norm / (total + 1e-6), c10::nullopt, 1.0);
  for (auto& g : grads) g.detach().mul_(coef);
}

}  // namespace kdbench::train
