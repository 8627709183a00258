// Fused models against their members: the stacked weights are the members' (round trip), a fused
// forward is K member forwards (training and eval mode, BatchNorm running stats included), and
// one SGD step on the stacked parameters is one SGD step of each member (momentum, weight decay,
// Nesterov are element-wise). Tolerances: grouped convolution and batched matmul sum in another
// order than a member's convolution and addmm, so values agree to float32 rounding, not bitwise.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kdbench/core/errors.h"
#include "kdbench/models/fused.h"

namespace kdbench::models {
namespace {

struct FusedCase {
  std::string model;
  InputShape shape;
};

// K members, member k built after seeding with 100 + k, the way a solo run seeds its model.
std::vector<Net> members_of(const FusedCase& c, int64_t k) {
  std::vector<Net> nets;
  for (int64_t i = 0; i < k; ++i) {
    torch::manual_seed(100 + static_cast<uint64_t>(i));
    nets.push_back(make(c.model, 10, c.shape));
  }
  return nets;
}

void expect_close_state(const torch::nn::Module& a, const torch::nn::Module& b, double tol) {
  for (const auto& p : a.named_parameters())
    EXPECT_TRUE(torch::allclose(p.value(), b.named_parameters()[p.key()], tol, tol)) << p.key();
  for (const auto& p : a.named_buffers())
    EXPECT_TRUE(torch::allclose(p.value().to(torch::kDouble),
                                b.named_buffers()[p.key()].to(torch::kDouble), tol, tol))
        << p.key();
}

class FusedModel : public ::testing::TestWithParam<FusedCase> {};

TEST_P(FusedModel, UnstackReturnsEachMembersInitialWeightsBitwise) {
  const auto nets = members_of(GetParam(), 3);
  const FusedNet fused = make_fused(GetParam().model, nets, 10, GetParam().shape);
  for (int64_t k = 0; k < 3; ++k) {
    torch::manual_seed(7);  // other weights, overwritten by unstack
    const Net copy = make(GetParam().model, 10, GetParam().shape);
    fused->unstack(k, *copy);
    for (const auto& p : nets[k]->named_parameters())
      EXPECT_TRUE(torch::equal(p.value(), copy->named_parameters()[p.key()])) << p.key();
    for (const auto& b : nets[k]->named_buffers())
      EXPECT_TRUE(torch::equal(b.value(), copy->named_buffers()[b.key()])) << b.key();
  }
}

TEST_P(FusedModel, ForwardAndOneSgdStepEqualEachMembersOwn) {
  const FusedCase& c = GetParam();
  const int64_t k = 3, batch = 5;
  const auto nets = members_of(c, k);
  const FusedNet fused = make_fused(c.model, nets, 10, c.shape);
  torch::manual_seed(1);
  const auto x = torch::randn({k, batch, c.shape.channels, c.shape.height, c.shape.width});
  const auto y = torch::randint(0, 10, {k, batch}, torch::kLong);
  const auto sgd = torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(5e-4).nesterov(true);

  torch::optim::SGD fused_opt(fused->parameters(), sgd);
  const auto logits = fused->forward(x);
  ASSERT_EQ(logits.sizes(), (std::vector<int64_t>{k, batch, 10}));
  torch::Tensor total = torch::zeros({});
  for (int64_t i = 0; i < k; ++i) total = total + torch::cross_entropy_loss(logits[i], y[i]);
  total.backward();
  fused_opt.step();

  for (int64_t i = 0; i < k; ++i) {
    torch::optim::SGD opt(nets[i]->parameters(), sgd);
    const auto own = nets[i]->forward(x[i]);
    EXPECT_TRUE(torch::allclose(logits[i], own, 1e-5, 1e-5)) << "member " << i;
    torch::cross_entropy_loss(own, y[i]).backward();
    opt.step();
    const Net after = make(c.model, 10, c.shape);
    fused->unstack(i, *after);
    expect_close_state(*nets[i], *after, 1e-5);
  }

  // Eval mode reads each member's running statistics.
  fused->eval();
  const auto eval_logits = fused->forward(x);
  for (int64_t i = 0; i < k; ++i) {
    nets[i]->eval();
    EXPECT_TRUE(torch::allclose(eval_logits[i], nets[i]->forward(x[i]), 1e-4, 1e-5));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Families, FusedModel,
    ::testing::Values(FusedCase{"cnn2", {3, 8, 8}}, FusedCase{"cnn4", {1, 8, 8}},
                      FusedCase{"cnn8", {3, 16, 16}}, FusedCase{"mlp2", {1, 6, 6}},
                      FusedCase{"resnet8", {3, 8, 8}}, FusedCase{"resnet14", {1, 8, 8}}),
    [](const auto& info) {
      return info.param.model + "_c" + std::to_string(info.param.shape.channels);
    });

TEST(FusedModelErrors, RefusesOtherModelsMixedMembersAndNoMembers) {
  const InputShape shape{3, 8, 8};
  EXPECT_TRUE(can_fuse("cnn10"));
  EXPECT_TRUE(can_fuse("resnet110"));
  EXPECT_FALSE(can_fuse("bert-L2-H128"));
  EXPECT_FALSE(can_fuse("resnet9"));
  EXPECT_THROW(make_fused("bert-L2-H128", {}, 10, shape), ConfigError);
  EXPECT_THROW(make_fused("cnn2", {}, 10, shape), ConfigError);
  const std::vector<Net> mixed{make("cnn2", 10, shape), make("cnn4", 10, shape)};
  EXPECT_THROW(make_fused("cnn2", mixed, 10, shape), ConfigError);
  // Members of another architecture than the name.
  EXPECT_THROW(make_fused("cnn4", {make("cnn2", 10, shape)}, 10, shape), ConfigError);
}

TEST(FusedModelErrors, BuildingDoesNotMoveTheCallersGenerator) {
  const InputShape shape{3, 8, 8};
  torch::manual_seed(3);
  const std::vector<Net> nets{make("cnn2", 10, shape)};
  const auto expected = torch::rand({4});
  torch::manual_seed(3);
  const std::vector<Net> again{make("cnn2", 10, shape)};
  make_fused("cnn2", again, 10, shape);
  EXPECT_TRUE(torch::equal(torch::rand({4}), expected));
}

}  // namespace
}  // namespace kdbench::models
