// Registry, parameter counts (the oracles of docs/methods.md §10), error messages and MAC counts.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kdbench/core/errors.h"
#include "kdbench/models/models.h"

namespace kdbench::models {
namespace {

const InputShape kCifar{3, 32, 32};
const InputShape kFashion{1, 28, 28};

struct CountCase {
  std::string name;
  int64_t num_classes;
  InputShape shape;
  int64_t expected;
};

std::string describe(const CountCase& c) {
  return c.name + " C=" + std::to_string(c.num_classes) + " " + std::to_string(c.shape.channels) +
         "x" + std::to_string(c.shape.height) + "x" + std::to_string(c.shape.width);
}

// Every count docs/methods.md §10 lists, verbatim.
const std::vector<CountCase> kDocumentedCounts = {
    {"resnet8", 10, kCifar, 78042},     {"resnet8", 100, kCifar, 83892},
    {"resnet14", 10, kCifar, 175258},   {"resnet14", 100, kCifar, 181108},
    {"resnet20", 10, kCifar, 272474},   {"resnet20", 100, kCifar, 278324},
    {"resnet26", 10, kCifar, 369690},   {"resnet32", 10, kCifar, 466906},
    {"resnet44", 10, kCifar, 661338},   {"resnet56", 10, kCifar, 855770},
    {"resnet110", 10, kCifar, 1730714}, {"resnet110", 100, kCifar, 1736564},
    {"resnet8", 10, kFashion, 77754},   {"resnet20", 10, kFashion, 272186},
    {"resnet56", 10, kFashion, 855482}, {"cnn2", 10, kCifar, 13082},
    {"cnn2", 10, kFashion, 10394},      {"cnn4", 10, kCifar, 37338},
    {"cnn4", 10, kFashion, 32250},      {"cnn6", 10, kCifar, 82778},
    {"cnn6", 10, kFashion, 78010},      {"cnn8", 10, kCifar, 327962},
    {"cnn8", 10, kFashion, 303098},     {"cnn10", 10, kCifar, 2487850},
    {"cnn10", 10, kFashion, 2388970},   {"mlp2", 10, kCifar, 197322},
    {"mlp2", 10, kFashion, 50890},
};

TEST(ModelRegistry, ParameterCountsMatchMethodsDocument) {
  for (const CountCase& c : kDocumentedCounts) {
    const Net net = make(c.name, c.num_classes, c.shape);
    EXPECT_EQ(count_parameters(*net), c.expected) << describe(c);
  }
}

TEST(ModelRegistry, FrozenParametersAreNotCounted) {
  const Net net = make("cnn2", 10, kFashion);
  const int64_t all = count_parameters(*net);
  torch::Tensor first = net->parameters().front();
  first.set_requires_grad(false);
  EXPECT_EQ(count_parameters(*net), all - first.numel());
}

TEST(ModelRegistry, KnownListsEveryFamilyMemberInOrder) {
  const std::vector<std::string> expected = {
      "cnn2",     "cnn4",     "cnn6",     "cnn8",     "cnn10",    "mlp2",     "resnet8",
      "resnet14", "resnet20", "resnet26", "resnet32", "resnet44", "resnet56", "resnet110"};
  EXPECT_EQ(known(), expected);
  for (const std::string& name : expected) EXPECT_TRUE(is_known(name)) << name;
  for (const char* name : {"", "cnn", "cnn3", "resnet", "resnet9", "resnet200", "ResNet8"}) {
    EXPECT_FALSE(is_known(name)) << name;
  }
}

TEST(ModelRegistry, UnknownNameListsKnownOnes) {
  const std::string message =
      "unknown model 'resnet9' (known: cnn2 cnn4 cnn6 cnn8 cnn10 mlp2 resnet8 resnet14 resnet20 "
      "resnet26 resnet32 resnet44 resnet56 resnet110 and, for text, "
      "bert-L{layers}-H{hidden}[-A{heads}])";
  try {
    make("resnet9", 10, kCifar);
    FAIL() << "make accepted an unknown name";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
  EXPECT_THROW(forward_macs("resnet9", 10, kCifar), ConfigError);
}

// Runs `build` and returns the ConfigError text ("" if nothing was thrown).
template <typename Build>
std::string config_error_of(Build build) {
  try {
    build();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ModelRegistry, BadNumClassesNamesModelAndValue) {
  for (int64_t bad : {1, 0, -3}) {
    const std::string text = config_error_of([&] { make("resnet8", bad, kCifar); });
    EXPECT_NE(text.find("resnet8"), std::string::npos) << text;
    EXPECT_NE(text.find("num_classes"), std::string::npos) << text;
    EXPECT_NE(text.find(std::to_string(bad)), std::string::npos) << text;
  }
  EXPECT_THROW(forward_macs("cnn2", 1, kCifar), ConfigError);
  EXPECT_NO_THROW(make("cnn2", 2, kCifar));
}

TEST(ModelRegistry, InputTooSmallForPoolsNamesModelAndShape) {
  // cnn10 pools four times: 16x16 is the smallest input that keeps one pixel.
  const std::string text = config_error_of([] { make("cnn10", 10, InputShape{1, 15, 28}); });
  EXPECT_NE(text.find("cnn10"), std::string::npos) << text;
  EXPECT_NE(text.find("1x15x28"), std::string::npos) << text;
  EXPECT_NE(text.find("16x16"), std::string::npos) << text;
  EXPECT_THROW(make("cnn2", 10, InputShape{3, 32, 3}), ConfigError);
  EXPECT_THROW(forward_macs("cnn10", 10, InputShape{1, 8, 8}), ConfigError);
  EXPECT_NO_THROW(make("cnn10", 10, InputShape{1, 16, 16}));
  EXPECT_NO_THROW(make("cnn2", 10, InputShape{1, 4, 4}));
}

TEST(ModelRegistry, EmptyShapeIsRejected) {
  for (const InputShape& shape :
       {InputShape{0, 32, 32}, InputShape{3, 0, 32}, InputShape{3, 32, -1}}) {
    const std::string text = config_error_of([&] { make("resnet20", 10, shape); });
    EXPECT_NE(text.find("resnet20"), std::string::npos) << text;
    EXPECT_NE(text.find("input shape"), std::string::npos) << text;
  }
}

TEST(ModelRegistry, ForwardMacsOfCnn2OnFashionByHand) {
  // conv 1->16 at 28x28: 28*28*16*1*9 = 112,896; pool to 14x14;
  // conv 16->16 at 14x14: 14*14*16*16*9 = 451,584; pool to 7x7;
  // Linear 7*7*16 = 784 -> 10: 7,840.
  EXPECT_EQ(forward_macs("cnn2", 10, kFashion), 112896 + 451584 + 7840);
}

TEST(ModelRegistry, ForwardMacsOfResNet8OnCifarByHand) {
  const int64_t stem = 32 * 32 * 16 * 3 * 9;                            // 442,368
  const int64_t stage1 = 2 * (32 * 32 * 16 * 16 * 9);                   // 4,718,592
  const int64_t stage2 = 16 * 16 * 32 * 16 * 9 + 16 * 16 * 32 * 32 * 9  // two 3x3 convs
                         + 16 * 16 * 32 * 16;                           // 1x1 projection
  const int64_t stage3 = 8 * 8 * 64 * 32 * 9 + 8 * 8 * 64 * 64 * 9 + 8 * 8 * 64 * 32;
  const int64_t fc = 64 * 10;
  EXPECT_EQ(forward_macs("resnet8", 10, kCifar), stem + stage1 + stage2 + stage3 + fc);
  EXPECT_EQ(forward_macs("resnet8", 10, kCifar), 12501632);
}

TEST(ModelRegistry, ForwardMacsUseFloorPoolingAndStridedSizes) {
  // cnn10 on 28x28 pools to 14, 7, 3, 1: the classifier sees 256 features.
  const int64_t on_28 = forward_macs("cnn10", 10, kFashion);
  const int64_t on_28_c20 = forward_macs("cnn10", 20, kFashion);
  EXPECT_EQ(on_28_c20 - on_28, 128 * 10);
  // ResNet on 7x7 strides to 4 then 2 ((n-1)/2+1); the stage-3 first conv runs on 2x2.
  const int64_t deeper = forward_macs("resnet14", 10, InputShape{1, 7, 7});
  const int64_t shallow = forward_macs("resnet8", 10, InputShape{1, 7, 7});
  const int64_t extra_block_per_stage =
      2 * (7 * 7 * 16 * 16 * 9) + 2 * (4 * 4 * 32 * 32 * 9) + 2 * (2 * 2 * 64 * 64 * 9);
  EXPECT_EQ(deeper - shallow, extra_block_per_stage);
}

}  // namespace
}  // namespace kdbench::models
