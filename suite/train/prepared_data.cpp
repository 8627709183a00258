#include "kdbench/train/prepared_data.h"

namespace kdbench::train {
namespace {

// The same float32 factors as datasets::normalize, so a batch normalised here equals the rows
// of the CPU's normalised tensors bit for bit.
torch::Tensor channel_factors(const std::vector<double>& values, const torch::Device& device) {
  std::vector<float> f(values.begin(), values.end());
  return torch::tensor(f).view({1, static_cast<int64_t>(f.size()), 1, 1}).to(device);
}

torch::Tensor normalised(const PreparedData& d, const torch::Tensor& rows) {
  if (!d.uint8) return rows;
  return rows.to(torch::kFloat).mul_(d.scale).add_(d.shift);
}

}  // namespace

PreparedData prepare(const datasets::Splits& s) {
  PreparedData d;
  d.train_x = datasets::normalize(s.train.images, s.mean, s.std);
  d.train_y = s.train.labels;
  d.val_x = datasets::normalize(s.val.images, s.mean, s.std);
  d.val_y = s.val.labels;
  d.test_x = datasets::normalize(s.test.images, s.mean, s.std);
  d.test_y = s.test.labels;
  d.num_classes = s.num_classes;
  d.shape = s.shape;
  d.mean = s.mean;
  d.std = s.std;
  return d;
}

PreparedData prepare_uint8(const datasets::Splits& s, const torch::Device& device) {
  PreparedData d;
  d.uint8 = true;
  d.train_x = s.train.images.to(device);
  d.train_y = s.train.labels.to(device);
  d.val_x = s.val.images.to(device);
  d.val_y = s.val.labels.to(device);
  d.test_x = s.test.images.to(device);
  d.test_y = s.test.labels.to(device);
  d.num_classes = s.num_classes;
  d.shape = s.shape;
  d.mean = s.mean;
  d.std = s.std;
  std::vector<double> scale, shift;
  for (size_t c = 0; c < s.mean.size(); ++c) {
    scale.push_back(1.0 / (255.0 * s.std[c]));
    shift.push_back(-s.mean[c] / s.std[c]);
  }
  d.scale = channel_factors(scale, device);
  d.shift = channel_factors(shift, device);
  return d;
}

torch::Tensor images(const PreparedData& d, const torch::Tensor& x, const torch::Tensor& idx) {
  return normalised(d, x.index_select(0, idx));
}

torch::Tensor images(const PreparedData& d, const torch::Tensor& x, int64_t begin, int64_t end) {
  return normalised(d, x.slice(0, begin, end));
}

}  // namespace kdbench::train
