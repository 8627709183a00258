#pragma once
// The dataset as the trainer uses it: normalized float tensors, built once per process and shared
// by every task that process runs (the grid's data is the same for all of its tasks).
#include <torch/torch.h>

#include "kdbench/datasets/dataset.h"

namespace kdbench::train {

struct PreparedData {
  torch::Tensor train_x, train_y, val_x, val_y, test_x, test_y;  // x: float N×C×H×W, y: int64
  int64_t num_classes = 10;
  InputShape shape;
  std::vector<double> mean, std;
};

PreparedData prepare(const datasets::Splits& splits);

}  // namespace kdbench::train
