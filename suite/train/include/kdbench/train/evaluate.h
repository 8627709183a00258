#pragma once
// Evaluation helpers, on the device the data and the network live on.
#include <torch/torch.h>

#include "kdbench/models/models.h"
#include "kdbench/train/prepared_data.h"

namespace kdbench::train {

// Accuracy and the data's metric (PreparedData::metric: the same number for accuracy), as
// fractions or correlations — results.h5 stores them so, reports print ×100.
struct Scores {
  double accuracy = 0, metric = 0;
};

// Scores of `net` in eval mode on split `s` of `d`, in batches; restores the previous mode.
Scores evaluate(models::NetImpl& net, const PreparedData& d, const Split& s, int64_t batch);

// Accuracy of `net` on normalised float images x with labels y (image tests and benches).
double accuracy(models::NetImpl& net, const torch::Tensor& x, const torch::Tensor& y,
                int64_t batch);

// Logits of `net` (eval mode, no grad) on all of split `s`, in batches.
torch::Tensor logits(models::NetImpl& net, const PreparedData& d, const Split& s, int64_t batch);

}  // namespace kdbench::train
