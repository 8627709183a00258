#pragma once
// A small learnable problem for trainer tests: 1×12×12 images whose label (0..3) is the quadrant
// made brightest. Deterministic for a given seed.
#include <torch/torch.h>

#include <cstdint>

#include "kdbench/train/prepared_data.h"

namespace kdbench::train::testing {

inline PreparedData quadrant_data(uint64_t seed, int64_t n_train, int64_t n_val, int64_t n_test) {
  torch::manual_seed(seed);
  PreparedData d;
  auto make = [](int64_t n, torch::Tensor& x, torch::Tensor& y) {
    x = torch::randn({n, 1, 12, 12}) * 0.3;
    y = torch::randint(0, 4, {n}, torch::kLong);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t q = y[i].item<int64_t>();
      x[i].slice(1, (q / 2) * 6, (q / 2) * 6 + 6).slice(2, (q % 2) * 6, (q % 2) * 6 + 6) += 1.0;
    }
  };
  make(n_train, d.train.x, d.train.y);
  make(n_val, d.val.x, d.val.y);
  make(n_test, d.test.x, d.test.y);
  d.num_classes = 4;
  d.shape = {1, 12, 12};
  return d;
}

}  // namespace kdbench::train::testing
