#pragma once
// Network registry (docs/design.md §4, docs/methods.md §10): plain CNN-n of TAKD and CIFAR
// ResNet-n, for any input shape (global average pooling / adaptive pooling before the classifier).
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "kdbench/core/shape.h"

namespace kdbench::models {

using kdbench::InputShape;

// Every network: images N×C×H×W (float, normalized) -> logits N×num_classes.
class NetImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
};
using Net = std::shared_ptr<NetImpl>;

// Builds a freshly initialized network; the caller seeds torch's generator first for determinism.
// Unknown names are a ConfigError listing known().
Net make(const std::string& name, int64_t num_classes, const InputShape& shape);
bool is_known(const std::string& name);
std::vector<std::string> known();

// Trainable parameters (the counts docs/methods.md §10 lists).
int64_t count_parameters(const torch::nn::Module& net);
// Multiply-accumulates of one forward pass of one image, for cost estimates in `kdbench plan`.
int64_t forward_macs(const std::string& name, int64_t num_classes, const InputShape& shape);

}  // namespace kdbench::models
