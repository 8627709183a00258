// The methods on a regression task (STS-B: one output, float targets), against values computed by
// hand in the comments. Outputs s = (1, 2, 0.5), teacher t = (1.5, 1, 1.5), targets y = (2, 2, 1):
//   MSE(s, y) = (1 + 0 + 0.25) / 3 = 5/12        MSE(s, t) = (0.25 + 1 + 1) / 3 = 3/4
//   MSE(s, t/2) = ((1 - 0.75)^2 + (2 - 0.5)^2 + (0.5 - 0.75)^2) / 3 = 2.375 / 3
#include <gtest/gtest.h>

#include "kdbench/core/errors.h"
#include "kdbench/methods/losses.h"
#include "method_test_support.h"

namespace kdbench::methods::testing {
namespace {

const TrainShape kRegression{20, 8, 1, true};

struct Batch {
  torch::Tensor s = torch::tensor({1.0, 2.0, 0.5}, torch::kFloat64).view({3, 1});
  torch::Tensor t = torch::tensor({1.5, 1.0, 1.5}, torch::kFloat64).view({3, 1});
  torch::Tensor y = torch::tensor({2.0, 2.0, 1.0}, torch::kFloat64);
};

double loss_of(const std::string& method, const ParamMap& params, const StepContext& ctx) {
  const Batch b;
  return make_method(method, params, kRegression)->loss(b.s, b.t, b.y, ctx).item<double>();
}

TEST(Regression, LabelTermIsTheMeanSquaredErrorToTheTargets) {
  const Batch b;
  EXPECT_TRUE(is_regression(b.y));
  EXPECT_FALSE(is_regression(torch::tensor({1, 0}, torch::kLong)));
  EXPECT_DOUBLE_EQ(regression_mse(b.s, b.y).item<double>(), 5.0 / 12);
  EXPECT_DOUBLE_EQ(supervised_loss(b.s, b.y).item<double>(), 5.0 / 12);
  EXPECT_DOUBLE_EQ(output_mse(b.s, b.t).item<double>(), 0.75);
  // nokd's gradient: d/ds mean((s - y)^2) = 2 (s - y) / 3.
  const auto g =
      loss_and_grad(*make_method("nokd", {}, kRegression), b.s, b.t, b.y, step_at(1, 20));
  EXPECT_DOUBLE_EQ(g.value, 5.0 / 12);
  EXPECT_TRUE(all_close(
      g.grad, torch::tensor({-2.0 / 3, 0.0, -1.0 / 3}, torch::kFloat64).view({3, 1}), 1e-12));
  // Outputs that are not B x 1, or targets of another length: one MethodError, not a broadcast.
  EXPECT_THROW(regression_mse(torch::zeros({3, 2}), b.y), MethodError);
  EXPECT_THROW(regression_mse(b.s, torch::zeros({4})), MethodError);
}

TEST(Regression, SoftTermIsTheMseToTheTeacherAtAnyTemperature) {
  // kd: (1 - 0.9) 5/12 + 0.9 * 3/4; the temperature has nothing to soften on one output.
  const double kd = 0.1 * 5.0 / 12 + 0.9 * 0.75;
  EXPECT_NEAR(loss_of("kd", {}, step_at(1, 20)), kd, 1e-12);
  EXPECT_NEAR(loss_of("kd", {{"temperature", "1"}}, step_at(1, 20)), kd, 1e-12);
  EXPECT_NEAR(loss_of("kd", {{"temperature", "16"}}, step_at(1, 20)), kd, 1e-12);
  // takd and prokd (at any epoch of its temperature schedule): 0.5 * 5/12 + 0.5 * 3/4.
  const double half = 0.5 * 5.0 / 12 + 0.5 * 0.75;
  EXPECT_NEAR(loss_of("takd", {{"lambda", "0.5"}}, step_at(1, 20)), half, 1e-12);
  EXPECT_NEAR(loss_of("prokd", {{"alpha", "0.5"}}, step_at(1, 20)), half, 1e-12);
  EXPECT_NEAR(loss_of("prokd", {{"alpha", "0.5"}}, step_at(20, 20)), half, 1e-12);
}

TEST(Regression, AnnealingAndContinuationRegressOnTheScaledTeacherThenTheTargets) {
  // Annealing-KD, tau_max 2 over 20 stage-I epochs: Phi = 1/2 in epochs 1..10; stage II: labels.
  EXPECT_NEAR(loss_of("annealing", {{"tau_max", "2"}}, step_at(1, 40, 0, 1, 20)), 2.375 / 3, 1e-12);
  EXPECT_NEAR(loss_of("annealing", {{"tau_max", "2"}}, step_at(21, 40, 1, 1, 20)), 5.0 / 12, 1e-12);
  // Continuation-KD, t_max 2, no margin: epoch 1 is the teacher term alone (psi 0, phi 1/2),
  // epoch 20 the label term alone (psi 1 after psi_epochs = 15).
  const ParamMap c{{"t_max", "2"}, {"margin", "0"}};
  EXPECT_NEAR(loss_of("continuation", c, step_at(1, 20)), 2.375 / 3, 1e-12);
  EXPECT_NEAR(loss_of("continuation", c, step_at(20, 20)), 5.0 / 12, 1e-12);
}

TEST(Regression, MethodsThatNeedClassesRefuseIt) {
  for (const std::string m : {"dkd", "dist"}) {
    try {
      make_method(m, {}, kRegression);
      ADD_FAILURE() << m << " accepted a regression task";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("regression task"), std::string::npos) << e.what();
    }
  }
  // The same methods on classes are fine.
  EXPECT_NO_THROW(make_method("dkd", {}, TrainShape{20, 8, 10}));
}

}  // namespace
}  // namespace kdbench::methods::testing
