// Combined-KD's vision variant and the views protocol of Method: the adversarial perturbation
// against an independent PyTorch reference, the L-inf ball, stage dependence, and the defaults
// every other method inherits.
#include <gtest/gtest.h>

#include "kdbench/core/errors.h"
#include "kdbench/methods/combined.h"
#include "method_test_support.h"

namespace kdbench::methods::testing {
namespace {

struct LinearNets {
  torch::Tensor ws, bs, wt, bt;
  ForwardFn student() const {
    return [this](const torch::Tensor& x) { return x.matmul(ws) + bs; };
  }
  ForwardFn teacher() const {
    return [this](const torch::Tensor& x) { return x.matmul(wt) + bt; };
  }
};

LinearNets golden_nets() {
  const auto& p = golden().at("perturbation");
  return {tensor_from_json(p.at("student_w")), tensor_from_json(p.at("student_b")),
          tensor_from_json(p.at("teacher_w")), tensor_from_json(p.at("teacher_b"))};
}

TEST(CombinedPerturbation, MatchesReferenceSignedGradientAscent) {
  const auto& p = golden().at("perturbation");
  const auto x = tensor_from_json(p.at("x"));
  const auto nets = golden_nets();
  for (const auto& c : p.at("cases")) {
    const int steps = c.at("steps");
    const double eps = c.at("epsilon");
    const auto adv = adversarial_perturbation(x, nets.student(), nets.teacher(), steps, eps);
    EXPECT_TRUE(all_close(adv, tensor_from_json(c.at("x_adv")), 1e-12)) << "steps " << steps;
    EXPECT_LE((adv - x).abs().max().item<double>(), eps * (1 + 1e-12));
    EXPECT_FALSE(adv.requires_grad());
  }
}

TEST(CombinedPerturbation, IncreasesTheDisagreementItAttacks) {
  const auto& p = golden().at("perturbation");
  const auto x = tensor_from_json(p.at("x"));
  const auto nets = golden_nets();
  const auto before = torch::mse_loss(nets.student()(x), nets.teacher()(x)).item<double>();
  const auto adv = adversarial_perturbation(x, nets.student(), nets.teacher(), 3, 0.1);
  EXPECT_GT(torch::mse_loss(nets.student()(adv), nets.teacher()(adv)).item<double>(), before);
}

TEST(CombinedViews, StageOneGivesCleanThenPerturbedAndLeavesParameterGradsAlone) {
  torch::manual_seed(3);
  torch::nn::Linear student(4, 3), teacher(4, 3);
  const ForwardFn fs = [&](const torch::Tensor& x) { return student->forward(x); };
  const ForwardFn ft = [&](const torch::Tensor& x) { return teacher->forward(x); };
  const auto m = make_method("combined", {{"epsilon", "0.2"}, {"adv_steps", "2"}});
  const auto x = torch::randn({5, 4});
  torch::NoGradGuard trainer_no_grad;  // a trainer may well call it from a no-grad region
  const auto views = m->input_views(x, fs, ft, step_at(3, 40, 0, 3, 20));
  ASSERT_EQ(views.size(), 2u);
  EXPECT_TRUE(torch::equal(views[0], x));
  EXPECT_FALSE(torch::equal(views[1], x));
  EXPECT_LE((views[1] - x).abs().max().item<double>(), 0.2 + 1e-6);
  for (const auto& param : student->parameters()) EXPECT_FALSE(param.grad().defined());
  for (const auto& param : teacher->parameters()) EXPECT_FALSE(param.grad().defined());
  EXPECT_TRUE(m->perturbs_inputs());

  const auto stage2 = m->input_views(x, fs, ForwardFn(), step_at(21, 40, 1, 1, 20));
  ASSERT_EQ(stage2.size(), 1u);
  EXPECT_TRUE(torch::equal(stage2[0], x));
}

TEST(CombinedViews, StageOneLossNeedsBothViews) {
  const auto m = make_method("combined");
  const auto z = torch::randn({3, 4}, torch::kFloat64), y = torch::tensor({0, 1, 2});
  const auto ctx = step_at(1, 40, 0, 1, 20);
  try {
    m->loss(z, z, y, ctx);
    FAIL() << "loss() accepted a single view in stage I";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "combined: stage I needs the clean and perturbed views; call loss_on_views() "
                 "(Method::perturbs_inputs() is true)");
  }
  EXPECT_THROW(m->loss_on_views({z}, {z}, y, ctx), Error);
  EXPECT_THROW(m->loss_on_views({z, z}, {z, torch::Tensor()}, y, ctx), Error);
  // Identical views: the average of two equal MSE terms is the plain annealing stage-I loss.
  const auto annealing = make_method("annealing");
  EXPECT_TRUE(near_rel(m->loss_on_views({z, z}, {2 * z, 2 * z}, y, ctx).item<double>(),
                       annealing->loss(z, 2 * z, y, ctx).item<double>(), 1e-12));
}

TEST(MethodViews, DefaultsAreOneUnchangedViewAndPlainLoss) {
  const auto kd = make_method("kd");
  EXPECT_FALSE(kd->perturbs_inputs());
  const auto x = torch::randn({2, 3});
  const ForwardFn never = [](const torch::Tensor&) -> torch::Tensor {
    throw std::logic_error("a method without perturbation must not run the networks");
  };
  const auto views = kd->input_views(x, never, never, step_at(1, 1));
  ASSERT_EQ(views.size(), 1u);
  EXPECT_TRUE(torch::equal(views[0], x));
  const auto nokd = make_method("nokd");
  const auto z = torch::randn({2, 3}, torch::kFloat64), y = torch::tensor({2, 0});
  EXPECT_EQ(nokd->loss_on_views({z}, {}, y, step_at(1, 1)).item<double>(),
            nokd->loss(z, torch::Tensor(), y, step_at(1, 1)).item<double>());
}

TEST(MethodViews, MissingTeacherLogitsAreAClearError) {
  const auto z = torch::randn({2, 3}, torch::kFloat64), y = torch::tensor({2, 0});
  for (const std::string name :
       {"kd", "takd", "annealing", "prokd", "continuation", "dkd", "dist"}) {
    try {
      make_method(name)->loss(z, torch::Tensor(), y, step_at(1, 20));
      ADD_FAILURE() << name << " accepted missing teacher logits";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()),
                name + ": this phase needs teacher logits but the trainer passed none");
    }
  }
}

}  // namespace
}  // namespace kdbench::methods::testing
