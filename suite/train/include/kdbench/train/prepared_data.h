#pragma once
// The dataset as the trainer uses it, built once per process and shared by every task that
// process runs (the grid's data is the same for all of its tasks). On the CPU: normalised float
// tensors. On a GPU: the raw uint8 images, uploaded once (a quarter of the bytes) and normalised
// batch by batch on the device, into exactly the floats the CPU layout holds.
#include <torch/torch.h>

#include "kdbench/datasets/dataset.h"

namespace kdbench::train {

struct PreparedData {
  // x: float N×C×H×W normalised, or with `uint8` the raw images (see images()); y: int64.
  torch::Tensor train_x, train_y, val_x, val_y, test_x, test_y;
  int64_t num_classes = 10;
  InputShape shape;
  std::vector<double> mean, std;
  bool uint8 = false;
  torch::Tensor scale, shift;  // uint8 only: 1×C×1×1 floats on the device; x·scale + shift
  torch::Device device() const { return train_x.device(); }
};

// Float tensors on the CPU (what the CPU path has always trained on).
PreparedData prepare(const datasets::Splits& splits);
// uint8 images and labels on `device`; normalised by images().
PreparedData prepare_uint8(const datasets::Splits& splits, const torch::Device& device);

// Normalised float images x[idx] (idx on the data's device) or x[begin, end) of one of d's
// splits: a plain index for float data, the per-batch normalisation for uint8 data.
torch::Tensor images(const PreparedData& d, const torch::Tensor& x, const torch::Tensor& idx);
torch::Tensor images(const PreparedData& d, const torch::Tensor& x, int64_t begin, int64_t end);

}  // namespace kdbench::train
