// Masked-LM pretraining (kdbench/train/pretrain_mlm.h): loss and accuracy on hand-computed logits,
// a tiny BERT learning a synthetic corpus, bitwise determinism per seed, the curve's points, the
// fixed validation masks, the gathered head equal to the full one, and bad settings refused.
#include <gtest/gtest.h>

#include <cmath>

#include "kdbench/core/errors.h"
#include "kdbench/train/pretrain_mlm.h"
#include "kdbench/train/stop_flag.h"
#include "tiny_mlm.h"

namespace kdbench::train {
namespace {

using datasets::kIgnoredLabel;

using testing::kVocab;
using testing::pattern_corpus;
using testing::tiny_config;
using testing::tiny_model;

// A model seeded right before its run (its weights, then its dropout stream) and trained.
struct SeededRun {
  models::BertMaskedLM model;
  PretrainResult result;
};
SeededRun seeded_run(uint64_t model_seed, const datasets::TokenSet& train,
                     const datasets::TokenSet& val, const PretrainConfig& c) {
  auto model = tiny_model(model_seed);
  auto result = pretrain_mlm(*model, train, val, c);
  return {model, result};
}

TEST(MlmLoss, MeanCrossEntropyAndAccuracyOverTheLabelledPositions) {
  // Row 0: uniform over 3, label 1: ln 3 (argmax 0: wrong). Row 1: e^{ln 3}, 1, 1 -> p(0) = 3/5,
  // label 0: ln(5/3) (right). Row 2: ignored, whatever its logits.
  const auto logits = torch::tensor(
      {{0.0f, 0.0f, 0.0f}, {static_cast<float>(std::log(3.0)), 0.0f, 0.0f}, {9.0f, -9.0f, 0.0f}});
  const auto labels = torch::tensor({int64_t{1}, int64_t{0}, kIgnoredLabel}, torch::kLong);
  EXPECT_NEAR(mlm_loss(logits, labels).item<double>(), std::log(5.0) / 2, 1e-6);
  EXPECT_DOUBLE_EQ(mlm_accuracy(logits, labels), 0.5);
  // The N×T×V form: the same numbers.
  EXPECT_NEAR(mlm_loss(logits.view({1, 3, 3}), labels.view({1, 3})).item<double>(),
              std::log(5.0) / 2, 1e-6);
  EXPECT_DOUBLE_EQ(mlm_accuracy(logits.view({1, 3, 3}), labels.view({1, 3})), 0.5);
  // Nothing labelled: loss 0 with a zero gradient (not NaN), accuracy NaN.
  const auto x = logits.clone().requires_grad_(true);
  const auto none = torch::full({3}, kIgnoredLabel, torch::kLong);
  const auto loss = mlm_loss(x, none);
  EXPECT_EQ(loss.item<double>(), 0.0);
  loss.backward();
  EXPECT_EQ(x.grad().abs().sum().item<double>(), 0.0);
  EXPECT_TRUE(std::isnan(mlm_accuracy(logits, none)));
}

TEST(PretrainMlm, ATinyBertLearnsTheCorpus) {
  const auto train = pattern_corpus(512, 1), val = pattern_corpus(128, 2);
  auto model = tiny_model(7);
  const PretrainConfig c = tiny_config();
  const MlmScore start = evaluate_mlm(*model, val, c.masking, c.eval_masking_seed, 64);
  EXPECT_NEAR(start.loss, std::log(static_cast<double>(kVocab)), 0.2);  // N(0, 0.02) logits
  const PretrainResult r = pretrain_mlm(*model, train, val, c);
  ASSERT_EQ(r.curve.size(), 4u);
  const MlmPoint& last = r.curve.back();
  // Measured here: val loss 3.91 -> 0.76, accuracy 0.94 after 200 steps.
  EXPECT_LT(last.val_loss, 0.3 * start.loss);
  EXPECT_LT(last.train_loss, 0.4 * start.loss);
  EXPECT_GT(last.val_accuracy, 0.6);  // chance: 1/45
  EXPECT_GT(last.val_accuracy, r.curve.front().val_accuracy);
  EXPECT_GT(r.seconds, 0.0);
}

TEST(PretrainMlm, OneSeedGivesBitwiseEqualCurvesAndWeights) {
  const auto train = pattern_corpus(100, 1), val = pattern_corpus(40, 2);
  PretrainConfig c = tiny_config();
  c.steps = 12;
  c.eval_every = 4;
  const auto [a, ra] = seeded_run(7, train, val, c);
  const auto [b, rb] = seeded_run(7, train, val, c);
  ASSERT_EQ(ra.curve.size(), rb.curve.size());
  for (size_t i = 0; i < ra.curve.size(); ++i) {
    EXPECT_EQ(ra.curve[i].train_loss, rb.curve[i].train_loss);
    EXPECT_EQ(ra.curve[i].val_loss, rb.curve[i].val_loss);
    EXPECT_EQ(ra.curve[i].val_accuracy, rb.curve[i].val_accuracy);
  }
  const auto pb = b->named_parameters();
  for (const auto& p : a->named_parameters())
    EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << p.key();
  // Another seed: another data order and other masks.
  c.seed = 4;
  EXPECT_NE(seeded_run(7, train, val, c).result.curve[0].train_loss, ra.curve[0].train_loss);
}

TEST(PretrainMlm, PointsEveryIntervalAndAfterTheLastStep) {
  const auto train = pattern_corpus(40, 1), val = pattern_corpus(20, 2);
  PretrainConfig c = tiny_config();
  c.steps = 12;
  c.eval_every = 4;
  auto model = tiny_model(1);
  auto r = pretrain_mlm(*model, train, val, c);
  ASSERT_EQ(r.curve.size(), 3u);
  EXPECT_EQ(r.curve[0].step, 4);
  EXPECT_EQ(r.curve[2].step, 12);
  c.steps = 10;
  r = pretrain_mlm(*model, train, val, c);
  ASSERT_EQ(r.curve.size(), 3u);  // 4, 8 and the last step, 10
  EXPECT_EQ(r.curve[1].step, 8);
  EXPECT_EQ(r.curve[2].step, 10);
}

// Each point carries its interval's lr (linear decay: 0 after the last step) and seconds; a stop
// request is polled before every step and ends the run with Interrupted (the worker's INTERRUPTED).
TEST(PretrainMlm, PointsCarryLrAndSecondsAndAStopRequestInterrupts) {
  const auto train = pattern_corpus(40, 1), val = pattern_corpus(20, 2);
  PretrainConfig c = tiny_config();
  c.steps = 20;
  c.eval_every = 10;
  auto model = tiny_model(1);
  const auto r = pretrain_mlm(*model, train, val, c);
  ASSERT_EQ(r.curve.size(), 2u);
  // Step index 9 is the warm-up's last (10 steps): 9/10 of lr; index 19 decays to (20-19)/(20-10).
  EXPECT_DOUBLE_EQ(r.curve[0].lr, c.train.lr * (9.0 / 10.0));
  EXPECT_DOUBLE_EQ(r.curve[1].lr, c.train.lr * (1.0 / 10.0));
  EXPECT_GT(r.curve[0].seconds, 0);
  EXPECT_LE(r.curve[0].seconds + r.curve[1].seconds, r.seconds);
  int polls = 0;
  c.should_stop = [&polls] { return ++polls == 4; };
  EXPECT_THROW(pretrain_mlm(*model, train, val, c), Interrupted);
  EXPECT_EQ(polls, 4);  // before steps 0..3: stopped before the fourth step
}

// With lr 0 the weights never change: every point scores the same masked validation set the same,
// which they would not if its masks were drawn afresh.
TEST(PretrainMlm, ValidationMasksAreTheSameAtEveryPoint) {
  const auto train = pattern_corpus(64, 1), val = pattern_corpus(64, 2);
  PretrainConfig c = tiny_config();
  c.steps = 6;
  c.eval_every = 2;
  c.train.lr = 0;
  c.train.weight_decay = 0;
  auto model = tiny_model(1);
  const auto r = pretrain_mlm(*model, train, val, c);
  ASSERT_EQ(r.curve.size(), 3u);
  EXPECT_EQ(r.curve[0].val_loss, r.curve[2].val_loss);
  EXPECT_EQ(r.curve[0].val_accuracy, r.curve[2].val_accuracy);
  EXPECT_NE(r.curve[0].train_loss, r.curve[1].train_loss);  // training masks do change
  const auto other_masks =
      evaluate_mlm(*model, val, c.masking, c.eval_masking_seed + 1, c.train.eval_batch_size);
  EXPECT_NE(other_masks.loss, r.curve[0].val_loss);
}

// Projecting every position and gathering the masked rows first are the same training.
TEST(PretrainMlm, GatheringTheMaskedPositionsChangesNothingButTheCost) {
  const auto train = pattern_corpus(64, 1), val = pattern_corpus(32, 2);
  PretrainConfig c = tiny_config();
  c.steps = 6;
  c.eval_every = 3;
  const auto rg = seeded_run(5, train, val, c).result;
  c.gather_masked = false;
  const auto rf = seeded_run(5, train, val, c).result;  // the same weights and dropout masks
  for (size_t i = 0; i < rg.curve.size(); ++i) {
    EXPECT_NEAR(rg.curve[i].train_loss, rf.curve[i].train_loss, 1e-4);
    EXPECT_NEAR(rg.curve[i].val_loss, rf.curve[i].val_loss, 1e-4);
  }
}

TEST(PretrainMlm, BadSettingsAreRefused) {
  const auto train = pattern_corpus(16, 1), val = pattern_corpus(8, 2);
  auto model = tiny_model(1);
  const auto refused = [&](const std::function<void(PretrainConfig&)>& change) {
    PretrainConfig c = tiny_config();
    change(c);
    EXPECT_THROW(pretrain_mlm(*model, train, val, c), ConfigError);
  };
  refused([](PretrainConfig& c) { c.steps = 0; });
  refused([](PretrainConfig& c) { c.eval_every = 0; });
  refused([](PretrainConfig& c) { c.train.batch_size = 0; });
  refused([](PretrainConfig& c) { c.masking.probability = 1.0; });
  refused([](PretrainConfig& c) { c.masking.mask_id = kVocab; });
  EXPECT_THROW(pretrain_mlm(*model, train, datasets::TokenSet{}, tiny_config()), DataError);
}

}  // namespace
}  // namespace kdbench::train
