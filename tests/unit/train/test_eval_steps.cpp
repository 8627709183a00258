// eval_steps: validation and test every N optimizer steps besides the epoch ends, the best point
// selected among all of them, and a run stopped right after a point resuming to the same record.
#include <gtest/gtest.h>

#include <filesystem>

#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/train/resume_state.h"
#include "kdbench/train/stop_flag.h"
#include "kdbench/train/trainer.h"
#include "quadrant_data.h"

using namespace kdbench;

namespace {

// 96 training images in batches of 16: 6 steps per epoch, 3 epochs; with eval_steps = 4 the
// points are the steps 4, 6 (end of epoch 1), 8, 12 (end of 2), 16 and 18 (end of 3).
grid::TaskGraph eval_steps_graph(int eval_steps) {
  const std::string ini = R"([grid]
data_dir = /unused
teachers = cnn4
students = cnn2
methods = annealing
seeds = 5
[train]
epochs = 3
batch_size = 16
eval_batch_size = 32
lr = 0.05
augment = true
augment_padding = 2
eval_steps = )" + std::to_string(eval_steps) +
                          R"(
[student]
epochs = 2
[method.annealing]
tau_max = 1
stage2_epochs = 1
)";
  return grid::expand(grid::parse_grid_text(ini, "evals.ini", grid::ParseOptions{false}));
}

struct EvalStepsFixture : ::testing::Test {
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("kdbench-eval-steps-" + std::to_string(::getpid())))
                        .string();
  train::PreparedData data = train::testing::quadrant_data(123, 96, 40, 40);
  results::Artifacts artifacts{dir, /*fsync=*/false};
  train::TrainEnv env;
  void SetUp() override {
    env.data = &data;
    env.artifacts = &artifacts;
    env.threads = 1;
    torch::set_num_threads(1);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
};

const grid::Task& task_of(const grid::TaskGraph& g, const std::string& kind) {
  for (const auto& t : g.tasks)
    if (t.kind == kind) return t;
  throw std::runtime_error("no " + kind);
}

std::vector<int64_t> steps_of(const nlohmann::json& evaluations) {
  std::vector<int64_t> out;
  for (const auto& p : evaluations) out.push_back(p.at("step").get<int64_t>());
  return out;
}

// The record's fields that a stop and resume must reproduce (wall times aside).
void expect_same_results(const results::RunRecord& a, const results::RunRecord& b) {
  EXPECT_EQ(a.evaluations, b.evaluations);
  EXPECT_EQ(a.best_step, b.best_step);
  EXPECT_EQ(a.best_epoch, b.best_epoch);
  EXPECT_EQ(a.best_val_metric, b.best_val_metric);
  EXPECT_EQ(a.test_metric_at_best_val, b.test_metric_at_best_val);
  EXPECT_EQ(a.best_val_acc, b.best_val_acc);
  EXPECT_EQ(a.test_acc_at_best_val, b.test_acc_at_best_val);
  EXPECT_EQ(a.best_test_acc, b.best_test_acc);
  EXPECT_EQ(a.curves.train_loss, b.curves.train_loss);
  EXPECT_EQ(a.curves.val_acc, b.curves.val_acc);
  EXPECT_EQ(a.curves.test_acc, b.curves.test_acc);
}

}  // namespace

TEST_F(EvalStepsFixture, PointsEveryNStepsAndAtEpochEndsTheBestAmongAll) {
  const auto every4 = eval_steps_graph(4), epochs_only = eval_steps_graph(0);
  const auto rec = train::run_task(task_of(every4, "teacher"), env);
  const auto plain = train::run_task(task_of(epochs_only, "teacher"), env);
  ASSERT_EQ(steps_of(rec.evaluations), (std::vector<int64_t>{4, 6, 8, 12, 16, 18}));
  EXPECT_EQ(rec.config.at("eval_steps"), 4);
  size_t best = 0;
  for (size_t i = 0; i < rec.evaluations.size(); ++i) {
    const auto& p = rec.evaluations[i];
    const int64_t g = p.at("step");
    EXPECT_EQ(p.at("epoch").get<int>(), (g - 1) / 6 + 1) << g;
    EXPECT_EQ(p.at("epoch_fraction").get<double>(), static_cast<double>(g) / 6.0) << g;
    if (p.at("val_metric").get<double>() > rec.evaluations[best].at("val_metric").get<double>())
      best = i;        // strictly greater: the first of equal points stays
    if (g % 6 == 0) {  // an epoch end: the curves' values
      const size_t e = static_cast<size_t>(g / 6 - 1);
      EXPECT_EQ(p.at("val_acc").get<double>(), rec.curves.val_acc[e]);
      EXPECT_EQ(p.at("test_metric").get<double>(), rec.curves.test_metric[e]);
    }
  }
  const auto& b = rec.evaluations[best];
  EXPECT_EQ(rec.best_step, b.at("step").get<int64_t>());
  EXPECT_EQ(rec.best_epoch, b.at("epoch").get<int>());
  EXPECT_EQ(rec.best_val_metric, b.at("val_metric").get<double>());
  EXPECT_EQ(rec.test_metric_at_best_val, b.at("test_metric").get<double>());
  EXPECT_EQ(rec.best_val_acc, b.at("val_acc").get<double>());
  EXPECT_EQ(rec.test_acc_at_best_val, b.at("test_acc").get<double>());
  // The points change no training: the curves are bitwise those of epoch-end evaluation.
  EXPECT_EQ(rec.curves.train_loss, plain.curves.train_loss);
  EXPECT_EQ(rec.curves.val_acc, plain.curves.val_acc);
  EXPECT_EQ(rec.curves.test_acc, plain.curves.test_acc);
  EXPECT_EQ(rec.final_test_acc, plain.final_test_acc);
  // Epoch ends only: records as before the key existed.
  EXPECT_EQ(plain.evaluations, nlohmann::json::array());
  EXPECT_EQ(plain.best_step, 0);
  EXPECT_FALSE(plain.config.contains("eval_steps"));
  EXPECT_GE(rec.best_val_metric, plain.best_val_metric) << "the epoch ends are among the points";
}

// Stops right after a point (next step boundary) in epoch 1, in epoch 2 and in Annealing-KD's
// stage I (whose best point, kept as the phase's weights, starts stage II): the resumed run
// records what the uninterrupted one does.
TEST_F(EvalStepsFixture, StopRightAfterAPointResumesToTheSameRecord) {
  const auto graph = eval_steps_graph(4);
  for (const char* kind : {"teacher", "student"}) {
    const auto& task = task_of(graph, kind);
    const auto reference = train::run_task(task, env);
    for (int stop_at : {4, 8, 9}) {
      SCOPED_TRACE(std::string(kind) + " stopped after step " + std::to_string(stop_at));
      int steps = 0;
      train::TrainEnv interrupted = env;
      interrupted.should_stop = [&] { return ++steps > stop_at; };
      EXPECT_THROW(train::run_task(task, interrupted), train::Interrupted);
      ASSERT_TRUE(artifacts.exists(task.key, train::kResumeFile));
      expect_same_results(train::run_task(task, env), reference);
    }
  }
}

// Annealing-KD's stage II starts from stage I's best point. Here (fixed data and seeds) that is a
// mid-epoch point better than both stage-I epoch ends: stage II (epoch 3) then trains from other
// weights than with eval_steps = 0, while stage I's curves are the same.
TEST_F(EvalStepsFixture, StageTwoStartsFromTheBestPointOfStageOne) {
  const auto every4 = eval_steps_graph(4), epochs_only = eval_steps_graph(0);
  train::run_task(task_of(every4, "teacher"), env);
  train::run_task(task_of(epochs_only, "teacher"), env);
  const auto rec = train::run_task(task_of(every4, "student"), env);
  const auto plain = train::run_task(task_of(epochs_only, "student"), env);
  double best_mid = -1, best_end = -1;
  for (const auto& p : rec.evaluations) {
    if (p.at("step").get<int64_t>() > 12) continue;  // stage I: epochs 1 and 2
    double& best = p.at("step").get<int64_t>() % 6 == 0 ? best_end : best_mid;
    best = std::max(best, p.at("val_metric").get<double>());
  }
  ASSERT_GT(best_mid, best_end) << "the fixture's stage-I best point is mid-epoch";
  ASSERT_EQ(rec.curves.size(), 3u);
  ASSERT_EQ(plain.curves.size(), 3u);
  for (size_t e = 0; e < 2; ++e) EXPECT_EQ(rec.curves.train_loss[e], plain.curves.train_loss[e]);
  EXPECT_NE(rec.curves.train_loss[2], plain.curves.train_loss[2]);
}
