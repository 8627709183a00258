#pragma once
// Random uint8 splits with a learnable signal (the quadrant problem of quadrant_data.h, as raw
// pixels), for the tests of the uint8 device layout against the CPU's float layout.
#include <torch/torch.h>

#include "kdbench/datasets/dataset.h"

namespace kdbench::train::testing {

inline datasets::Splits uint8_splits(uint64_t seed, int64_t channels) {
  torch::manual_seed(seed);
  datasets::Splits s;
  auto make = [&](int64_t n) {
    datasets::ImageSet set;
    set.labels = torch::randint(0, 4, {n}, torch::kLong);
    auto x = torch::randint(0, 160, {n, channels, 12, 12}, torch::kLong);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t q = set.labels[i].item<int64_t>();
      x[i].slice(1, (q / 2) * 6, (q / 2) * 6 + 6).slice(2, (q % 2) * 6, (q % 2) * 6 + 6) += 90;
    }
    set.images = x.to(torch::kUInt8);
    return set;
  };
  s.train = make(96);
  s.val = make(40);
  s.test = make(40);
  s.num_classes = 4;
  s.shape = {channels, 12, 12};
  const auto stats = datasets::channel_stats(s.train.images);
  s.mean = stats.mean;
  s.std = stats.std;
  return s;
}

}  // namespace kdbench::train::testing
