#pragma once
// Evaluation helpers, on the device the data and the network live on.
#include <torch/torch.h>

#include "kdbench/models/models.h"
#include "kdbench/train/prepared_data.h"

namespace kdbench::train {

// Accuracy (fraction in [0, 1], as results.h5 stores it) of `net` in eval mode on (x, y), in
// batches; restores the previous mode. x: normalised float images.
double accuracy(models::NetImpl& net, const torch::Tensor& x, const torch::Tensor& y,
                int64_t batch);
// The same on one of d's splits (x = d.val_x, ...), uint8 data normalised batch by batch.
double accuracy(models::NetImpl& net, const PreparedData& d, const torch::Tensor& x,
                const torch::Tensor& y, int64_t batch);

// Logits of `net` (eval mode, no grad) on all of x, in batches.
torch::Tensor logits(models::NetImpl& net, const torch::Tensor& x, int64_t batch);
torch::Tensor logits(models::NetImpl& net, const PreparedData& d, const torch::Tensor& x,
                     int64_t batch);

}  // namespace kdbench::train
