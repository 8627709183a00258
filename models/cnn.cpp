// Plain CNN-n of TAKD (docs/methods.md §10), built from the layer strings written there so the code
// and the document can be compared token by token.
#include <algorithm>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "builders.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"

namespace kdbench::models::detail {
namespace {

// "Ck" = conv3x3 pad 1 (bias) + BN + ReLU, "Ckxr" = r of them, "P" = maxpool 2, "FCk" = Linear;
// the last FC is the classifier, its width replaced by num_classes.
struct NamedSpec {
  const char* name;
  const char* layers;
};
constexpr NamedSpec kSpecs[] = {
    {"cnn2", "C16 P C16 P FC10"},
    {"cnn4", "C16 C16 P C32 C32 P FC10"},
    {"cnn6", "C16 C16 P C32 C32 P C64 C64 P FC10"},
    {"cnn8", "C16 C16 P C32 C32 P C64 C64 P C128 C128 P FC64 FC10"},
    {"cnn10", "C32 C32 P C64 C64 P C128 C128 P C256x4 P FC128 FC10"},
    // No convolution and no normalisation layer: data-parallel gangs must reproduce a 1-rank run
    // of it exactly (BatchNorm's per-member statistics make the CNNs differ by design).
    {"mlp2", "FC64 FC10"},
};

constexpr int64_t kPool = kCnnPool;  // marks a max-pool in CnnSpec::features

struct CnnSpec {
  std::vector<int64_t> features;   // conv widths, kPool for a pool
  std::vector<int64_t> hidden_fc;  // widths of the FCs before the classifier
  int pools = 0;
};

CnnSpec parse_spec(const NamedSpec& named) {
  CnnSpec spec;
  std::vector<int64_t> fc_widths;
  for (const std::string& token : split_ws(named.layers)) {
    const std::string what = std::string("layer '") + token + "' of " + named.name;
    if (token == "P") {
      spec.features.push_back(kPool);
      ++spec.pools;
    } else if (starts_with(token, "FC")) {
      fc_widths.push_back(parse_int(token.substr(2), what));
    } else {
      const std::string body = token.substr(1);
      const auto x = body.find('x');
      const int64_t width = parse_int(body.substr(0, x), what);
      const int64_t repeats = x == std::string::npos ? 1 : parse_int(body.substr(x + 1), what);
      spec.features.insert(spec.features.end(), repeats, width);
    }
  }
  fc_widths.pop_back();  // the classifier
  spec.hidden_fc = fc_widths;
  return spec;
}

const CnnSpec& spec_for(const std::string& name) {
  static const std::vector<CnnSpec> parsed = [] {
    std::vector<CnnSpec> all;
    for (const NamedSpec& named : kSpecs) all.push_back(parse_spec(named));
    return all;
  }();
  for (size_t i = 0; i < std::size(kSpecs); ++i) {
    if (name == kSpecs[i].name) return parsed[i];
  }
  throw ConfigError("unknown plain CNN '" + name + "'");
}

// Floor division at every pool: 28x28 through four pools is 14, 7, 3, 1 (the oracle counts of
// docs/methods.md §10 depend on it). Inputs that pool down to nothing are rejected by name.
void check_poolable(const std::string& name, const CnnSpec& spec, const InputShape& shape) {
  const int64_t min_side = int64_t{1} << spec.pools;
  if (shape.height < min_side || shape.width < min_side) {
    throw ConfigError("model '" + name + "' needs inputs of at least " + std::to_string(min_side) +
                      "x" + std::to_string(min_side) + " (" + std::to_string(spec.pools) +
                      " max-pools of 2), got " + shape_text(shape));
  }
}

class ConvBnReluImpl : public torch::nn::Module {
 public:
  ConvBnReluImpl(int64_t in_channels, int64_t out_channels)
      : conv(register_module(
            "conv",
            torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 3).padding(1)))),
        bn(register_module("bn", torch::nn::BatchNorm2d(out_channels))) {}

  torch::Tensor forward(const torch::Tensor& x) { return bn(conv(x)).relu_(); }

  torch::nn::Conv2d conv;
  torch::nn::BatchNorm2d bn;
};

// Default LibTorch (= PyTorch) init everywhere, as TAKD's plain CNNs use.
class CnnImpl : public NetImpl {
 public:
  // mlp2 has no convolution: its input stays as it is (nothing to gain, a copy to lose).
  CnnImpl(const CnnSpec& spec, int64_t num_classes, const InputShape& shape)
      : nhwc_(uses_channels_last(shape, cnn_convolutions(spec.features))) {
    auto features = register_module("features", torch::nn::ModuleList());
    int64_t channels = shape.channels, height = shape.height, width = shape.width;
    for (int64_t conv_width : spec.features) {
      if (conv_width == kPool) {
        steps_.push_back(nullptr);
        height /= 2;
        width /= 2;
        continue;
      }
      auto layer = std::make_shared<ConvBnReluImpl>(channels, conv_width);
      features->push_back(layer);
      steps_.push_back(layer);
      channels = conv_width;
    }
    auto classifier = register_module("classifier", torch::nn::ModuleList());
    int64_t in_features = channels * height * width;
    std::vector<int64_t> widths = spec.hidden_fc;
    widths.push_back(num_classes);
    for (int64_t out_features : widths) {
      torch::nn::Linear fc(in_features, out_features);
      classifier->push_back(fc);
      fcs_.push_back(fc);
      in_features = out_features;
    }
  }

  torch::Tensor forward(const Inputs& inputs) override {
    torch::Tensor x = nhwc_ ? channels_last(inputs.images) : inputs.images;
    for (const auto& step : steps_) x = step ? step->forward(x) : torch::max_pool2d(x, {2, 2});
    x = x.flatten(1);
    for (size_t i = 0; i + 1 < fcs_.size(); ++i) x = fcs_[i](x).relu_();
    return fcs_.back()(x);
  }

  bool nhwc() const { return nhwc_; }

 private:
  bool nhwc_;  // channels-last (builders.h)
  // Typed handles to the registered layers, so forward() dispatches without type erasure.
  std::vector<std::shared_ptr<ConvBnReluImpl>> steps_;  // nullptr = max-pool 2
  std::vector<torch::nn::Linear> fcs_;
};

}  // namespace

std::vector<std::string> cnn_names() {
  std::vector<std::string> names;
  for (const NamedSpec& named : kSpecs) names.emplace_back(named.name);
  return names;
}

const std::vector<int64_t>& cnn_features(const std::string& name) {
  return spec_for(name).features;
}

int64_t cnn_convolutions(const std::vector<int64_t>& features) {
  return static_cast<int64_t>(std::count_if(features.begin(), features.end(),
                                            [](int64_t width) { return width != kPool; }));
}

Net make_cnn(const std::string& name, int64_t num_classes, const InputShape& shape) {
  const CnnSpec& spec = spec_for(name);
  check_poolable(name, spec, shape);
  auto net = std::make_shared<CnnImpl>(spec, num_classes, shape);
  if (net->nhwc()) to_channels_last(*net);
  return net;
}

int64_t cnn_macs(const std::string& name, int64_t num_classes, const InputShape& shape) {
  const CnnSpec& spec = spec_for(name);
  check_poolable(name, spec, shape);
  int64_t macs = 0, channels = shape.channels, height = shape.height, width = shape.width;
  for (int64_t conv_width : spec.features) {
    if (conv_width == kPool) {
      height /= 2;
      width /= 2;
    } else {
      macs += height * width * conv_width * channels * 9;  // pad 1 keeps the spatial size
      channels = conv_width;
    }
  }
  int64_t in_features = channels * height * width;
  for (int64_t out_features : spec.hidden_fc) {
    macs += in_features * out_features;
    in_features = out_features;
  }
  return macs + in_features * num_classes;
}

}  // namespace kdbench::models::detail
