#pragma once
// Internal to kdbench_models: the per-family builders behind the registry in models.cpp.
// Callers outside models/ use models.h only.
#include <string>
#include <vector>

#include "kdbench/models/models.h"

namespace kdbench::models::detail {

// "CxHxW", the way error messages and plans print an input shape.
std::string shape_text(const InputShape& shape);

// Convolutional models on multi-channel inputs (CIFAR's 3x32x32) run channels-last (NHWC): their
// 4-D weights are converted once after initialisation (same values, other strides) and forward()
// converts its input, so convolutions, BatchNorm, ReLU and max-pool run on oneDNN's and ATen's
// NHWC kernels: 1.1-1.4x the training-step throughput of NCHW on the CPU for cnn2, cnn6,
// resnet8 and resnet20 (bench/README.md, "CPU optimisations"). On one-channel inputs
// (Fashion-MNIST) it measured between 0.8x and 1.3x, so those stay NCHW. Results equal NCHW's up
// to floating-point summation order.
inline bool uses_channels_last(const InputShape& shape) { return shape.channels > 1; }
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
