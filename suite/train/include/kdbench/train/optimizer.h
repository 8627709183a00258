#pragma once
// The optimizer of a role's training ([teacher]/[student] optimizer = sgd | adamw) and the
// gradient clipping before its step (max_grad_norm).
#include <torch/torch.h>

#include <memory>
#include <vector>

#include "kdbench/grid/grid_spec.h"
#include "kdbench/models/models.h"

namespace kdbench::train {

// sgd: torch::optim::SGD over all parameters (momentum, nesterov, L2 weight_decay added to the
// gradient), as every run before adamw existed. adamw: torch::optim::AdamW (decoupled weight
// decay, Loshchilov & Hutter) with two parameter groups: weight_decay for the parameters with
// dim() >= 2 (convolution, linear and embedding weights), none for dim() < 2 (biases, LayerNorm
// and BatchNorm scales and shifts).
std::unique_ptr<torch::optim::Optimizer> make_optimizer(models::NetImpl& net,
                                                        const grid::TrainConfig& c);

// Sets the learning rate of every parameter group of an optimizer made by make_optimizer.
void set_lr(torch::optim::Optimizer& opt, double lr);

// Scales the gradients of `params` in place so that their global L2 norm is at most `max_norm`:
// g *= min(1, max_norm / (norm + 1e-6)), torch.nn.utils.clip_grad_norm_'s formula. Unlike
// torch::nn::utils::clip_grad_norm_ it never reads the norm back to the CPU, so a GPU step does
// not wait for it. Parameters without a gradient are skipped.
void clip_gradients(const std::vector<torch::Tensor>& params, double max_norm);

}  // namespace kdbench::train
