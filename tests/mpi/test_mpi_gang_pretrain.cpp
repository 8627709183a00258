// Masked-LM pretraining by a gang (the whole test world: 2 or 3 ranks) against the same
// pretraining on one rank (kdbench/train/pretrain_mlm.h, PretrainConfig::gang): a dropout-free
// tiny BERT gives the 1-rank run's curve (AdamW, SGD) and weights (SGD) within 1e-5 relative (only
// the order of floating-point sums differs), with a global batch that does not divide by the gang
// and a last batch of each pass smaller than a gang of 3; every member holds the same weights; a
// stop seen by one member stops the whole gang at the same step.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>

#include "kdbench/train/gang_sync.h"
#include "kdbench/train/pretrain_mlm.h"
#include "kdbench/train/stop_flag.h"
#include "mpi_world.h"
#include "tiny_mlm.h"

using namespace kdbench;
using mpi_test::world;
namespace fs = std::filesystem;

namespace {

// tiny_model without dropout: each member draws its own dropout masks, so only a dropout-free
// model can reproduce the 1-rank run.
models::BertMaskedLM dropout_free_model(uint64_t seed) {
  models::BertConfig c = models::BertConfig::from_name("bert-L1-H32-A2");
  c.vocab_size = train::testing::kVocab;
  c.max_positions = train::testing::kWidth;
  c.hidden_dropout = c.attention_dropout = 0;
  torch::manual_seed(seed);
  return models::BertMaskedLM(c);
}

// 37 rows in batches of 7: five of 7 (4+3 rows over 2 members, 3+2+2 over 3) and a last one of 2
// (1+1; over 3 members one has no rows). 14 steps: the data's second pass in a fresh order, points
// at steps 5, 10 and 14.
train::PretrainConfig gang_config() {
  train::PretrainConfig c = train::testing::tiny_config();
  c.steps = 14;
  c.eval_every = 5;
  c.train.batch_size = 7;
  c.train.eval_batch_size = 16;
  c.train.lr_schedule.warmup_steps = 3;
  return c;
}

struct GangPretrain : ::testing::Test {
  datasets::TokenSet train_set = train::testing::pattern_corpus(37, 7);
  datasets::TokenSet val_set = train::testing::pattern_corpus(20, 8);
  void SetUp() override { torch::set_num_threads(1); }
};

// Sum and absolute sum of every parameter: equal on every member when the weights are.
std::vector<double> weight_sums(models::BertMaskedLMImpl& model) {
  std::vector<double> v;
  for (const auto& p : model.parameters()) {
    v.push_back(p.sum().item<double>());
    v.push_back(p.abs().sum().item<double>());
  }
  return v;
}

// The gang's run against the 1-rank run. Under SGD the weights are a linear function of the
// gradients and are compared tensor by tensor. AdamW divides each gradient element by its own
// running scale, so an element whose exact gradient is 0 (an attention key bias: softmax ignores a
// shift common to all keys) moves by rounding noise on one rank and by other noise in the gang;
// under AdamW the curves are compared, and the pooler (which the MLM loss never reaches) must stay
// untouched in both runs. Every member must hold the root's weights, bit for bit.
void expect_like_one_rank(const train::PretrainResult& gang, models::BertMaskedLMImpl& ganged,
                          const train::PretrainResult& one, models::BertMaskedLMImpl& alone,
                          bool sgd) {
  ASSERT_EQ(one.curve.size(), 3u);
  ASSERT_EQ(gang.curve.size(), one.curve.size());
  for (size_t i = 0; i < one.curve.size(); ++i) {
    const auto &g = gang.curve[i], &o = one.curve[i];
    EXPECT_EQ(g.step, o.step);
    EXPECT_NEAR(g.train_loss, o.train_loss, 1e-5 * std::abs(o.train_loss)) << "point " << i;
    EXPECT_NEAR(g.val_loss, o.val_loss, 1e-5 * std::abs(o.val_loss)) << "point " << i;
    // The root's evaluation on every member (an argmax may flip at a near tie: 1 of ~25).
    EXPECT_NEAR(g.val_accuracy, o.val_accuracy, 0.05) << "point " << i;
    EXPECT_EQ(g.lr, o.lr);
  }
  auto pg = ganged.named_parameters(), initial = dropout_free_model(11)->named_parameters();
  double worst = 0, moved = 0;  // the largest change of a weight by training: far above 1e-7
  for (const auto& p : alone.named_parameters()) {
    const auto& q = pg[p.key()];
    moved = std::max(moved, (p.value() - initial[p.key()]).abs().max().item<double>());
    if (p.key().rfind("bert.pooler.", 0) == 0) {
      EXPECT_TRUE(torch::equal(q, p.value())) << p.key();
    }
    if (!sgd) continue;
    worst = std::max(worst, (q - p.value()).abs().max().item<double>());
    EXPECT_TRUE(torch::allclose(q, p.value(), 1e-5, 1e-7)) << p.key();
  }
  EXPECT_GT(moved, 1e-2);
  if (world().rank() == 0 && sgd)
    std::cout << "gang of " << world().size() << " (sgd): largest weight difference " << worst
              << "\n";
  auto mine = weight_sums(ganged), roots = mine;
  train::broadcast_values(world(), roots);
  EXPECT_EQ(mine, roots);
}

}  // namespace

TEST_F(GangPretrain, TheGangGivesTheOneRankRunsCurveAndWeights) {
  for (const std::string optimizer : {"sgd", "adamw"}) {
    SCOPED_TRACE(optimizer + " on rank " + std::to_string(world().rank()));
    train::PretrainConfig c = gang_config();
    c.train.optimizer = optimizer;
    if (optimizer == "sgd") c.train.lr = 0.5;
    auto alone = dropout_free_model(11);
    const auto one = train::pretrain_mlm(*alone, train_set, val_set, c);
    c.gang = &world();
    auto ganged = dropout_free_model(11);
    const auto gang = train::pretrain_mlm(*ganged, train_set, val_set, c);
    expect_like_one_rank(gang, *ganged, one, *alone, optimizer == "sgd");
  }
}

// A gang stopped two steps after the point at step 5 resumes from the state the root saved there
// (in a directory the whole world shares) and ends as the uninterrupted 1-rank run does.
TEST_F(GangPretrain, AStoppedGangResumesFromTheRootsState) {
  train::PretrainConfig c = gang_config();
  c.train.optimizer = "sgd";
  c.train.lr = 0.5;
  auto alone = dropout_free_model(11);
  const auto one = train::pretrain_mlm(*alone, train_set, val_set, c);
  std::string file =
      (fs::temp_directory_path() / ("kdbench-gang-pretrain-" + std::to_string(::getpid()) + ".pt"))
          .string();
  world().broadcast(file, 0);  // rank 0's name on every member
  c.gang = &world();
  c.state_file = file;
  int polls = 0;
  c.should_stop = [&polls] { return ++polls > 7; };
  auto stopped = dropout_free_model(11);
  EXPECT_THROW(train::pretrain_mlm(*stopped, train_set, val_set, c), train::Interrupted);
  EXPECT_TRUE(fs::exists(file));
  c.should_stop = nullptr;
  auto resumed = dropout_free_model(11);
  const auto gang = train::pretrain_mlm(*resumed, train_set, val_set, c);
  expect_like_one_rank(gang, *resumed, one, *alone, true);
  world().barrier();
  if (world().rank() == 0) fs::remove(file);
}

// A stop request on the last member only: every member throws Interrupted at the same step, so
// none is left waiting in a collective.
TEST_F(GangPretrain, AStopOnOneMemberStopsTheGangAtTheSameStep) {
  train::PretrainConfig c = gang_config();
  c.gang = &world();
  int polls = 0;
  const bool stopper = world().rank() == world().size() - 1;
  c.should_stop = [&] { return stopper && ++polls > 4; };
  auto model = dropout_free_model(11);
  std::string what;
  try {
    train::pretrain_mlm(*model, train_set, val_set, c);
  } catch (const train::Interrupted& e) {
    what = e.what();
  }
  EXPECT_NE(what.find("stopped at step 4 of 14"), std::string::npos)
      << "rank " << world().rank() << ": " << what;
}
