// Resume of a stopped masked-LM pretraining (kdbench/train/pretrain_state.h): the state saved at
// the last curve point continues the run bit for bit (weights, AdamW's moments, the data order in
// the middle of a pass, the mask and dropout streams); a finished run's state leaves nothing to
// train; a damaged state is ignored and the run starts over, equal to an uninterrupted one.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "kdbench/train/pretrain_state.h"
#include "kdbench/train/stop_flag.h"
#include "tiny_mlm.h"

namespace kdbench::train {
namespace {

namespace fs = std::filesystem;
using testing::pattern_corpus;
using testing::tiny_model;

// 40 rows in batches of 7: a pass is 6 steps, so the stop at step 8 and the point at step 4 both
// lie inside a pass (its order and position are part of the state). The model has dropout.
PretrainConfig resume_config() {
  PretrainConfig c = testing::tiny_config();
  c.steps = 12;
  c.eval_every = 4;
  c.train.batch_size = 7;
  return c;
}

struct Finished {
  models::BertMaskedLM model;
  PretrainResult result;
};

// As the pretrain task runs it: the model built from its seed right before the run (weights, then
// dropout's stream), which a saved state then replaces.
Finished run_from_seed(const datasets::TokenSet& train, const datasets::TokenSet& val,
                       const PretrainConfig& c) {
  auto model = tiny_model(5);
  auto result = pretrain_mlm(*model, train, val, c);
  return {model, result};
}

void expect_same_run(const Finished& a, const Finished& b) {
  ASSERT_EQ(a.result.curve.size(), b.result.curve.size());
  for (size_t i = 0; i < a.result.curve.size(); ++i) {
    const auto &p = a.result.curve[i], &q = b.result.curve[i];
    EXPECT_EQ(p.step, q.step);
    EXPECT_EQ(p.train_loss, q.train_loss) << "point " << i;
    EXPECT_EQ(p.val_loss, q.val_loss) << "point " << i;
    EXPECT_EQ(p.val_accuracy, q.val_accuracy) << "point " << i;
    EXPECT_EQ(p.lr, q.lr) << "point " << i;
  }
  auto pb = b.model->named_parameters();
  for (const auto& p : a.model->named_parameters())
    EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << p.key();
}

TEST(PretrainResume, AStoppedRunContinuesFromItsLastPointBitForBit) {
  const auto train = pattern_corpus(40, 1), val = pattern_corpus(16, 2);
  const Finished whole = run_from_seed(train, val, resume_config());
  const std::string file =
      (fs::temp_directory_path() / ("kdbench-pretrain-state-" + std::to_string(::getpid()) + ".pt"))
          .string();
  fs::remove(file);
  PretrainConfig c = resume_config();
  c.state_file = file;
  int polls = 0;
  c.should_stop = [&polls] { return ++polls > 8; };  // before step 8
  std::string message;
  try {
    run_from_seed(train, val, c);
  } catch (const Interrupted& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("stopped at step 8 of 12"), std::string::npos) << message;
  EXPECT_NE(message.find("resumes from step 8, its last curve point"), std::string::npos)
      << message;
  ASSERT_TRUE(fs::exists(file));

  // Stopped at step 8, right after the point at step 8: the state is that point's.
  c.should_stop = nullptr;
  const Finished resumed = run_from_seed(train, val, c);
  expect_same_run(resumed, whole);
  EXPECT_GE(resumed.result.seconds, resumed.result.curve.back().seconds);

  // Stopped at step 6, two steps after the point at step 4 (the lost steps are trained again),
  // from a fresh state file.
  fs::remove(file);
  polls = 0;
  c.should_stop = [&polls] { return ++polls > 6; };
  EXPECT_THROW(run_from_seed(train, val, c), Interrupted);
  c.should_stop = nullptr;
  expect_same_run(run_from_seed(train, val, c), whole);

  // The finished run's state (its last point) leaves nothing to train: the same curve and weights.
  expect_same_run(run_from_seed(train, val, c), whole);

  // A damaged state (one byte flipped) is ignored: the run starts over and equals the whole run.
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(100);
    char byte = 0;
    f.read(&byte, 1);
    f.seekp(100);
    byte = static_cast<char>(byte ^ 0x20);
    f.write(&byte, 1);
  }
  expect_same_run(run_from_seed(train, val, c), whole);
  fs::remove(file);
}

// Without a state file a stop says that the run starts over.
TEST(PretrainResume, WithoutAStateFileAStopRestartsFromTheStart) {
  const auto train = pattern_corpus(40, 1), val = pattern_corpus(16, 2);
  PretrainConfig c = resume_config();
  int polls = 0;
  c.should_stop = [&polls] { return ++polls > 5; };
  try {
    run_from_seed(train, val, c);
    ADD_FAILURE() << "not interrupted";
  } catch (const Interrupted& e) {
    EXPECT_NE(std::string(e.what()).find("restarts from its start"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kdbench::train
