// What training relies on: output shapes, init statistics, determinism under a seed, train/eval
// behaviour of BatchNorm, gradients reaching every parameter, and archive round trips.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>

#include "kdbench/models/models.h"

namespace kdbench::models {
namespace {

const InputShape kCifar{3, 32, 32};
const InputShape kFashion{1, 28, 28};

torch::Tensor images(int64_t batch, const InputShape& shape) {
  return torch::randn({batch, shape.channels, shape.height, shape.width});
}

torch::Tensor named(const torch::nn::Module& net, const std::string& key) {
  const auto params = net.named_parameters();
  const torch::Tensor* found = params.find(key);
  if (found == nullptr) throw std::runtime_error("no parameter " + key);
  return *found;
}

torch::Tensor named_buffer(const torch::nn::Module& net, const std::string& key) {
  const auto buffers = net.named_buffers();
  const torch::Tensor* found = buffers.find(key);
  if (found == nullptr) throw std::runtime_error("no buffer " + key);
  return *found;
}

// Parameters and buffers (BN running stats) of a and b are equal, key by key.
void expect_same_state(const torch::nn::Module& a, const torch::nn::Module& b) {
  const auto pa = a.named_parameters(), pb = b.named_parameters();
  ASSERT_EQ(pa.keys(), pb.keys());
  for (const auto& item : pa) EXPECT_TRUE(torch::equal(item.value(), pb[item.key()])) << item.key();
  const auto ba = a.named_buffers(), bb = b.named_buffers();
  ASSERT_EQ(ba.keys(), bb.keys());
  for (const auto& item : ba) EXPECT_TRUE(torch::equal(item.value(), bb[item.key()])) << item.key();
}

TEST(ModelBehaviour, EveryModelMapsImagesToLogitsInTrainAndEval) {
  torch::manual_seed(3);
  torch::NoGradGuard no_grad;  // shapes only; keeps resnet110 cheap
  for (const std::string& name : known()) {
    for (const InputShape& shape : {kFashion, kCifar}) {
      const int64_t classes = shape.channels == 1 ? 10 : 100;
      const Net net = make(name, classes, shape);
      for (bool training : {true, false}) {
        net->train(training);
        for (int64_t batch : {int64_t{1}, int64_t{2}}) {
          const torch::Tensor logits = net->forward(images(batch, shape));
          EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{batch, classes}))
              << name << " train=" << training << " batch=" << batch;
          EXPECT_TRUE(torch::isfinite(logits).all().item<bool>()) << name;
        }
      }
    }
  }
}

TEST(ModelBehaviour, ResNetConvInitIsHeNormalAndBatchNormIsIdentity) {
  torch::manual_seed(0);
  const Net net = make("resnet110", 10, kCifar);
  // 64x64x3x3 = 36,864 weights: the sample std is within ~0.4% of the true one.
  const torch::Tensor w = named(*net, "layer3.0.conv2.weight");
  ASSERT_EQ(w.sizes(), (std::vector<int64_t>{64, 64, 3, 3}));
  const double expected_std = std::sqrt(2.0 / (9 * 64));
  EXPECT_NEAR(w.std().item<double>(), expected_std, 0.03 * expected_std);
  EXPECT_NEAR(w.mean().item<double>(), 0.0, 4 * expected_std / std::sqrt(w.numel()));
  // The 1x1 projection uses k=1: std sqrt(2/32) over 512 weights (~3% sampling error).
  const torch::Tensor projection = named(*net, "layer2.0.downsample.0.weight");
  ASSERT_EQ(projection.sizes(), (std::vector<int64_t>{32, 16, 1, 1}));
  EXPECT_NEAR(projection.std().item<double>(), std::sqrt(2.0 / 32), 0.15 * std::sqrt(2.0 / 32));
  for (const auto& item : net->named_parameters()) {
    const std::string& key = item.key();
    if (key.find("bn") != std::string::npos || key.find("downsample.1") != std::string::npos) {
      const double target = key.size() >= 6 && key.substr(key.size() - 6) == "weight" ? 1.0 : 0.0;
      EXPECT_TRUE(torch::all(item.value() == target).item<bool>()) << key;
    }
  }
  // The classifier keeps LibTorch's default init: uniform within 1/sqrt(fan_in) = 1/8.
  EXPECT_LE(named(*net, "fc.weight").abs().max().item<double>(), 0.125);
}

TEST(ModelBehaviour, SameSeedSameParametersDifferentSeedDifferent) {
  for (const std::string name : {"cnn8", "resnet20"}) {
    torch::manual_seed(42);
    const Net first = make(name, 10, kCifar);
    torch::manual_seed(42);
    const Net second = make(name, 10, kCifar);
    expect_same_state(*first, *second);
    torch::manual_seed(43);
    const Net other = make(name, 10, kCifar);
    EXPECT_FALSE(torch::equal(first->parameters().front(), other->parameters().front())) << name;
  }
}

TEST(ModelBehaviour, TrainModeUpdatesRunningStatsEvalModeUsesThem) {
  for (const std::string name : {"cnn4", "resnet8"}) {
    torch::manual_seed(7);
    const Net net = make(name, 10, kFashion);
    const std::string stats_key =
        name == "cnn4" ? "features.0.bn.running_mean" : "bn1.running_mean";
    const torch::Tensor before = named_buffer(*net, stats_key).clone();
    net->train();
    net->forward(images(4, kFashion) + 1.0);
    EXPECT_FALSE(torch::equal(before, named_buffer(*net, stats_key))) << name;

    net->eval();
    torch::NoGradGuard no_grad;
    const torch::Tensor stats = named_buffer(*net, stats_key).clone();
    const torch::Tensor batch = images(4, kFashion);
    const torch::Tensor logits = net->forward(batch);
    EXPECT_TRUE(torch::equal(stats, named_buffer(*net, stats_key))) << name;
    // Eval mode is per-sample: one image alone gives its row of the batch.
    EXPECT_TRUE(
        torch::allclose(net->forward(batch.slice(0, 2, 3)), logits.slice(0, 2, 3), 1e-5, 1e-6))
        << name;
  }
}

TEST(ModelBehaviour, EveryParameterReceivesAGradient) {
  for (const std::string name : {"cnn8", "resnet8"}) {
    torch::manual_seed(1);
    const Net net = make(name, 10, kCifar);
    net->train();
    net->forward(images(2, kCifar)).pow(2).sum().backward();
    for (const auto& item : net->named_parameters()) {
      ASSERT_TRUE(item.value().grad().defined()) << name << " " << item.key();
      EXPECT_GT(item.value().grad().abs().sum().item<double>(), 0.0) << name << " " << item.key();
    }
  }
}

TEST(ModelBehaviour, ArchiveRoundTripRestoresParametersAndRunningStats) {
  torch::manual_seed(11);
  const Net saved = make("resnet8", 10, kCifar);
  saved->train();
  saved->forward(images(3, kCifar));  // move the running stats off their initial values
  std::stringstream bytes;
  {
    torch::serialize::OutputArchive archive;
    saved->save(archive);
    archive.save_to(bytes);
  }
  torch::manual_seed(12);
  const Net loaded = make("resnet8", 10, kCifar);
  torch::serialize::InputArchive archive;
  archive.load_from(bytes);
  loaded->load(archive);
  expect_same_state(*saved, *loaded);

  saved->eval();
  loaded->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = images(2, kCifar);
  EXPECT_TRUE(torch::equal(saved->forward(x), loaded->forward(x)));
}

}  // namespace
}  // namespace kdbench::models

namespace kdbench::models {
namespace {

// Channels-last (models/builders.h): CNNs and ResNets on multi-channel inputs hold their
// convolution weights NHWC and compute the same logits as the same weights in NCHW.
TEST(ChannelsLast, MultiChannelConvModelsAreNhwcAndComputeWhatNchwComputes) {
  for (const std::string name : {"cnn2", "resnet8"}) {
    torch::manual_seed(3);
    Net nhwc = make(name, 10, InputShape{3, 16, 16});
    bool any_conv = false;
    for (const auto& p : nhwc->parameters()) {
      if (p.dim() != 4) continue;
      any_conv = true;
      EXPECT_TRUE(p.is_contiguous(torch::MemoryFormat::ChannelsLast)) << name;
      // A 1x1 kernel (ResNet's projection shortcut) is contiguous in both layouts.
      if (p.size(2) > 1) {
        EXPECT_FALSE(p.is_contiguous()) << name;
      }
    }
    EXPECT_TRUE(any_conv) << name;
    // The same weights in NCHW, through the functional ops of the first convolution: its output
    // equals the model's own first layer up to summation order.
    nhwc->eval();
    const auto x = torch::randn({4, 3, 16, 16});
    torch::NoGradGuard no_grad;
    const auto logits = nhwc->forward(x);
    torch::Tensor w;
    for (const auto& p : nhwc->parameters())
      if (p.dim() == 4) {
        w = p;
        break;
      }
    const auto nchw = torch::conv2d(x, w.contiguous(), {}, 1, 1);
    const auto nhwc_out =
        torch::conv2d(x.contiguous(torch::MemoryFormat::ChannelsLast), w, {}, 1, 1);
    EXPECT_TRUE(torch::allclose(nchw, nhwc_out, 1e-5, 1e-5)) << name;
    EXPECT_TRUE(torch::isfinite(logits).all().item<bool>()) << name;
  }
}

// On one-channel inputs only models of six or more convolutions go NHWC (where it measured
// faster); cnn2 and cnn4 stay NCHW, and either layout trains from the same values.
TEST(ChannelsLast, OneChannelInputsGoNhwcFromSixConvolutions) {
  const std::vector<std::pair<std::string, bool>> expected = {
      {"cnn2", false}, {"cnn4", false}, {"cnn6", true}, {"cnn8", true}, {"resnet8", true}};
  for (const auto& [name, nhwc] : expected) {
    SCOPED_TRACE(name);
    torch::manual_seed(5);
    Net net = make(name, 10, InputShape{1, 28, 28});
    int convs = 0;
    for (const auto& p : net->parameters()) {
      // A 1x1 kernel or a single input channel is contiguous in both layouts.
      if (p.dim() != 4 || p.size(2) == 1 || p.size(1) == 1) continue;
      ++convs;
      EXPECT_EQ(p.is_contiguous(torch::MemoryFormat::ChannelsLast), nhwc);
      EXPECT_EQ(p.is_contiguous(), !nhwc);
    }
    EXPECT_GE(convs, 1);  // cnn2: its second convolution
    net->eval();
    torch::NoGradGuard no_grad;
    const auto logits = net->forward(torch::randn({2, 1, 28, 28}));
    EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{2, 10}));
    EXPECT_TRUE(torch::isfinite(logits).all().item<bool>());
  }
}

}  // namespace
}  // namespace kdbench::models
