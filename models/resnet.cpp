// CIFAR ResNet-d of TAKD / Annealing-KD (docs/methods.md §10): 16/32/64 channels, (d-2)/6
// BasicBlocks per stage, projection shortcuts. Module names follow the PyTorch reference code
// (conv1, bn1, layer1.0.conv1, layer2.0.downsample.0, fc) so state dicts line up with it.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "builders.h"
#include "kdbench/core/errors.h"

namespace kdbench::models::detail {
namespace {

constexpr int64_t kStageWidths[] = {16, 32, 64};
constexpr int64_t kStageStrides[] = {1, 2, 2};

// Spatial size after a 3x3 pad-1 (or 1x1 pad-0) convolution with this stride.
int64_t conv_out(int64_t size, int64_t stride) { return (size - 1) / stride + 1; }

// He init of the reference code: N(0, sqrt(2 / (k*k*out_channels))).
torch::nn::Conv2d he_conv(int64_t in_channels, int64_t out_channels, int64_t kernel,
                          int64_t stride) {
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(in_channels, out_channels, kernel)
                             .stride(stride)
                             .padding(kernel / 2)
                             .bias(false));
  torch::NoGradGuard no_grad;
  conv->weight.normal_(0.0, std::sqrt(2.0 / static_cast<double>(kernel * kernel * out_channels)));
  return conv;
}

class BasicBlockImpl : public torch::nn::Module {
 public:
  BasicBlockImpl(int64_t in_channels, int64_t out_channels, int64_t stride)
      : conv1_(register_module("conv1", he_conv(in_channels, out_channels, 3, stride))),
        bn1_(register_module("bn1", torch::nn::BatchNorm2d(out_channels))),
        conv2_(register_module("conv2", he_conv(out_channels, out_channels, 3, 1))),
        bn2_(register_module("bn2", torch::nn::BatchNorm2d(out_channels))) {
    if (stride != 1 || in_channels != out_channels) {
      shortcut_conv_ = he_conv(in_channels, out_channels, 1, stride);
      shortcut_bn_ = torch::nn::BatchNorm2d(out_channels);
      // A list, not a Sequential: it only names the pair "downsample.0/1"; forward() calls the
      // typed handles directly.
      auto downsample = register_module("downsample", torch::nn::ModuleList());
      downsample->push_back(shortcut_conv_);
      downsample->push_back(shortcut_bn_);
    }
  }

  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor out = bn1_(conv1_(x)).relu_();
    out = bn2_(conv2_(out));
    out += shortcut_conv_ ? shortcut_bn_(shortcut_conv_(x)) : x;
    return out.relu_();
  }

 private:
  torch::nn::Conv2d conv1_;
  torch::nn::BatchNorm2d bn1_;
  torch::nn::Conv2d conv2_;
  torch::nn::BatchNorm2d bn2_;
  torch::nn::Conv2d shortcut_conv_{nullptr};
  torch::nn::BatchNorm2d shortcut_bn_{nullptr};
};

class ResNetImpl : public NetImpl {
 public:
  ResNetImpl(int depth, int64_t num_classes, const InputShape& shape)
      : nhwc_(uses_channels_last(shape, resnet_convolutions(depth))),
        conv1_(register_module("conv1", he_conv(shape.channels, kStageWidths[0], 3, 1))),
        bn1_(register_module("bn1", torch::nn::BatchNorm2d(kStageWidths[0]))) {
    const int blocks_per_stage = (depth - 2) / 6;
    int64_t channels = kStageWidths[0];
    for (int stage = 0; stage < 3; ++stage) {
      auto layer = register_module("layer" + std::to_string(stage + 1), torch::nn::ModuleList());
      for (int b = 0; b < blocks_per_stage; ++b) {
        const int64_t stride = resnet_block_stride(stage, b);
        auto block = std::make_shared<BasicBlockImpl>(channels, kStageWidths[stage], stride);
        layer->push_back(block);
        blocks_.push_back(block);
        channels = kStageWidths[stage];
      }
    }
    fc_ = register_module("fc", torch::nn::Linear(channels, num_classes));
  }

  torch::Tensor forward(const Inputs& inputs) override {
    torch::Tensor x = bn1_(conv1_(nhwc_ ? channels_last(inputs.images) : inputs.images)).relu_();
    for (const auto& block : blocks_) x = block->forward(x);
    return fc_(x.mean({2, 3}));  // global average pool
  }

 private:
  bool nhwc_;  // channels-last (builders.h)
  torch::nn::Conv2d conv1_;
  torch::nn::BatchNorm2d bn1_;
  std::vector<std::shared_ptr<BasicBlockImpl>> blocks_;
  torch::nn::Linear fc_{nullptr};
};

void check_depth(int depth) {
  if (depth < 8 || (depth - 2) % 6 != 0) {
    throw ConfigError("resnet depth " + std::to_string(depth) + " is not 6n+2 with n >= 1");
  }
}

}  // namespace

std::vector<int> resnet_depths() { return {8, 14, 20, 26, 32, 44, 56, 110}; }

int64_t resnet_block_stride(int stage, int block) { return block == 0 ? kStageStrides[stage] : 1; }

Net make_resnet(int depth, int64_t num_classes, const InputShape& shape) {
  check_depth(depth);
  auto net = std::make_shared<ResNetImpl>(depth, num_classes, shape);
  if (uses_channels_last(shape, resnet_convolutions(depth))) {
    to_channels_last(*net);  // after the He init: same values
  }
  return net;
}

int64_t resnet_macs(int depth, int64_t num_classes, const InputShape& shape) {
  check_depth(depth);
  int64_t height = shape.height, width = shape.width, channels = kStageWidths[0];
  int64_t macs = height * width * channels * shape.channels * 9;
  for (int stage = 0; stage < 3; ++stage) {
    const int64_t out_channels = kStageWidths[stage];
    for (int b = 0; b < (depth - 2) / 6; ++b) {
      const int64_t stride = resnet_block_stride(stage, b);
      height = conv_out(height, stride);
      width = conv_out(width, stride);
      const int64_t pixels = height * width;
      macs += pixels * out_channels * channels * 9 + pixels * out_channels * out_channels * 9;
      if (stride != 1 || channels != out_channels) macs += pixels * out_channels * channels;
      channels = out_channels;
    }
  }
  return macs + channels * num_classes;
}

}  // namespace kdbench::models::detail
