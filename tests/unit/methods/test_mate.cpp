// Combined-KD's text augmentation (MATE-KD), the tensor pieces: the straight-through
// Gumbel-softmax (exact one-hot forward, softmax gradient checked by hand), the masking of
// non-special tokens, the 10/100 cycle, and the text variant's parameters.
#include <gtest/gtest.h>

#include "kdbench/core/errors.h"
#include "kdbench/methods/combined.h"
#include "kdbench/methods/mate.h"
#include "method_test_support.h"

namespace kdbench::methods::testing {
namespace {

TEST(MateGumbel, ForwardIsExactlyTheOneHotOfTheNoisyArgmax) {
  const auto logits = torch::tensor({{1.0, 2.0, 0.5}, {0.0, -1.0, 3.0}}, torch::kFloat);
  // Noise that moves row 0's argmax from 1 to 2 and leaves row 1's at 2.
  const auto noise = torch::tensor({{0.1, -0.3, 1.9}, {0.2, 0.4, -0.1}}, torch::kFloat);
  const auto y = gumbel_softmax_hard(logits, noise, 1.0);
  EXPECT_TRUE(torch::equal(y, torch::tensor({{0.0, 0.0, 1.0}, {0.0, 0.0, 1.0}}, torch::kFloat)))
      << y;
}

TEST(MateGumbel, GradientIsTheSoftmaxOfTheNoisyLogitsByHand) {
  // One row, tau = 0.5: z = (logits + noise) / tau = (1, 0, -1), s = softmax(z).
  const double tau = 0.5;
  auto logits = torch::tensor({{0.5, 0.25, -0.75}}, torch::kDouble).requires_grad_(true);
  const auto noise = torch::tensor({{0.0, -0.25, 0.25}}, torch::kDouble);
  const auto w = torch::tensor({{1.0, 2.0, 4.0}}, torch::kDouble);  // L = sum(w * y)
  (gumbel_softmax_hard(logits, noise, tau) * w).sum().backward();
  // By hand: dL/dlogits_i = s_i (w_i - sum_j w_j s_j) / tau.
  const double e0 = std::exp(1.0), e1 = 1.0, e2 = std::exp(-1.0), sum = e0 + e1 + e2;
  const double s[3] = {e0 / sum, e1 / sum, e2 / sum};
  const double mean_w = 1.0 * s[0] + 2.0 * s[1] + 4.0 * s[2];
  const double wv[3] = {1.0, 2.0, 4.0};
  for (int i = 0; i < 3; ++i)
    EXPECT_NEAR(logits.grad()[0][i].item<double>(), s[i] * (wv[i] - mean_w) / tau, 1e-12) << i;
}

TEST(MateGumbel, NoiseIsFiniteGumbel) {
  torch::manual_seed(1);
  const auto g = sample_gumbel({20000}, torch::TensorOptions().dtype(torch::kFloat));
  EXPECT_TRUE(torch::isfinite(g).all().item<bool>());
  // Standard Gumbel: mean = Euler's gamma 0.5772 (sd of the mean of 20000 draws: 0.009).
  EXPECT_NEAR(g.mean().item<double>(), 0.5772, 0.05);
}

TEST(MateMask, ChoosesOnlyRealNonSpecialTokens) {
  // [CLS]=101 a b [SEP]=102 [PAD]=0 ...
  const auto ids = torch::tensor({{101, 7, 8, 102, 0, 0}, {101, 9, 102, 10, 11, 102}});
  const auto mask = torch::tensor({{1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1}});
  torch::manual_seed(2);
  const auto all = mask_for_generator(ids, mask, {101, 102, 0}, 1.0);
  EXPECT_TRUE(
      torch::equal(all, torch::tensor({{0, 1, 1, 0, 0, 0}, {0, 1, 0, 1, 1, 0}}).to(torch::kBool)))
      << all;
  // p = 0.3 of many eligible tokens: about 30 % chosen, never a special one.
  const auto many = torch::randint(3, 50, {64, 64});
  const auto chosen = mask_for_generator(many, torch::ones_like(many), {101, 102, 0}, 0.3);
  EXPECT_NEAR(chosen.to(torch::kFloat).mean().item<double>(), 0.3, 0.03);
}

TEST(MateSchedule, CyclesOfTenGeneratorThenHundredStudentBatches) {
  const MateSchedule schedule(10, 100);
  int generator = 0, student = 0;
  std::string runs;  // "G10 S100 G10 ..."
  char last = ' ';
  int run = 0;
  for (int64_t i = 0; i < 330; ++i) {
    const char kind = schedule.generator_turn(i) ? 'G' : 'S';
    (kind == 'G' ? generator : student)++;
    if (kind != last && run > 0) runs += std::string(1, last) + std::to_string(run) + " ";
    if (kind != last) run = 0;
    last = kind;
    ++run;
  }
  runs += std::string(1, last) + std::to_string(run);
  EXPECT_EQ(generator, 30);
  EXPECT_EQ(student, 300);
  EXPECT_EQ(runs, "G10 S100 G10 S100 G10 S100");
}

TrainShape text_shape() {
  TrainShape shape{20, 8, 2};
  shape.text = true;
  return shape;
}

TEST(MateParams, TextCombinedResolvesTheGeneratorKeys) {
  const auto m = make_method("combined", {}, text_shape());
  EXPECT_EQ(m->params_json(),
            nlohmann::json::parse(R"({"tau_max": 10, "stage1_epochs": 20, "stage2_epochs": 20,
                                      "reduction": "elementmean", "generator": "bert-L2-H128",
                                      "generator_init": "",
                                      "generator_lr": 5e-7, "generator_clip": 5.0,
                                      "generator_steps": 10, "student_steps": 100,
                                      "mask_probability": 0.3, "gumbel_tau": 1.0})"));
  EXPECT_EQ(m->variant(), "standard");
  ASSERT_NE(m->text_generator(), nullptr);
  EXPECT_EQ(m->text_generator()->generator, "bert-L2-H128");
  // Images keep the vision variant, without a generator.
  EXPECT_EQ(make_method("combined")->text_generator(), nullptr);
}

std::string text_error(const ParamMap& params) {
  try {
    make_method("combined", params, text_shape());
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no ConfigError>";
}

TEST(MateParams, BadGeneratorParametersNameKeyAndRange) {
  EXPECT_EQ(text_error({{"generator", "cnn2"}}),
            "[method.combined] generator: 'cnn2' is not a BERT masked LM "
            "(bert-L{layers}-H{hidden}[-A{heads}])");
  EXPECT_EQ(text_error({{"mask_probability", "0"}}),
            "[method.combined] mask_probability: 0 is out of range (0, 1] (some tokens must be "
            "masked)");
  EXPECT_EQ(text_error({{"mask_probability", "1.5"}}),
            "[method.combined] mask_probability: 1.5 is out of range [0, 1]");
  EXPECT_EQ(text_error({{"student_steps", "0"}}),
            "[method.combined] student_steps: 0 is out of range [1, 1000000]");
  EXPECT_EQ(text_error({{"gumbel_tau", "0"}}).rfind("[method.combined] gumbel_tau: 0 is out of", 0),
            0u);
  // The vision variant's keys are not the text variant's.
  EXPECT_EQ(text_error({{"epsilon", "0.1"}}).rfind("[method.combined] unknown key 'epsilon'", 0),
            0u);
}

}  // namespace
}  // namespace kdbench::methods::testing
