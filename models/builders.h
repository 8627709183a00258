#pragma once
// Internal to kdbench_models: the per-family builders behind the registry in models.cpp.
// Callers outside models/ use models.h only.
#include <string>
#include <vector>

#include "kdbench/models/models.h"

namespace kdbench::models::detail {

// "CxHxW", the way error messages and plans print an input shape.
std::string shape_text(const InputShape& shape);

// Convolutional models run channels-last (NHWC) where it measured faster: their 4-D weights are
// converted once after initialisation (same values, other strides) and forward() converts its
// input, so convolutions, BatchNorm, ReLU and max-pool run on oneDNN's and ATen's NHWC kernels.
// On multi-channel inputs (CIFAR's 3x32x32) every model: 1.1-1.4x the training-step throughput of
// NCHW for cnn2, cnn6, resnet8 and resnet20. On one-channel inputs (Fashion-MNIST) only models of
// 6 or more convolutions (cnn6 and up, every ResNet): 1.05-1.3x there, while cnn2 and cnn4 lose up
// to a third (bench/README.md, "CPU optimisations"). `convolutions` counts the model's conv
// layers (0 for an MLP: nothing to gain, a copy to lose). Results equal NCHW's up to
// floating-point summation order.
inline bool uses_channels_last(const InputShape& shape, int64_t convolutions) {
  return convolutions > 0 && (shape.channels > 1 || convolutions >= 6);
}
// The convolutions of a plain CNN's feature stack (cnn_features: widths and pool markers).
int64_t cnn_convolutions(const std::vector<int64_t>& features);
// A ResNet-d has d - 1 convolutions on its main path (and up to two shortcut convolutions).
inline int64_t resnet_convolutions(int depth) { return depth - 1; }
void to_channels_last(torch::nn::Module& net);
inline torch::Tensor channels_last(const torch::Tensor& images) {
  return images.contiguous(torch::MemoryFormat::ChannelsLast);
}

// Plain CNN-n of TAKD (cnn.cpp). Names are those of cnn_names(); inputs are already validated
// for num_classes and positive sizes, the builders check what only they know (pool depth).
std::vector<std::string> cnn_names();
Net make_cnn(const std::string& name, int64_t num_classes, const InputShape& shape);
// The feature stack of a plain CNN in order: a conv width, or kCnnPool for a max-pool 2 (the
// fused model of fused.cpp replays it over its stacked parameters).
constexpr int64_t kCnnPool = 0;
const std::vector<int64_t>& cnn_features(const std::string& name);
int64_t cnn_macs(const std::string& name, int64_t num_classes, const InputShape& shape);

// CIFAR ResNet-d (resnet.cpp), d in resnet_depths().
std::vector<int> resnet_depths();
int resnet_depth(const std::string& name);  // 0: not a registered ResNet name
int64_t resnet_block_stride(int stage, int block);
Net make_resnet(int depth, int64_t num_classes, const InputShape& shape);
int64_t resnet_macs(int depth, int64_t num_classes, const InputShape& shape);

}  // namespace kdbench::models::detail
