#pragma once
#include <torch/torch.h>

#include "kdbench/models/models.h"

namespace kdbench::train {

// Accuracy (fraction in [0, 1], as results.h5 stores it) of `net` in eval mode on (x, y), in
// batches; restores the previous mode.
double accuracy(models::NetImpl& net, const torch::Tensor& x, const torch::Tensor& y,
                int64_t batch);

// Logits of `net` (eval mode, no grad) on all of x, in batches.
torch::Tensor logits(models::NetImpl& net, const torch::Tensor& x, int64_t batch);

}  // namespace kdbench::train
