#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "kdbench/grid/parse_grid.h"
#include "kdbench/train/lr_schedule.h"
#include "kdbench/train/trainer.h"
#include "quadrant_data.h"

using kdbench::grid::LrSchedule;
using kdbench::train::lr_at;
using kdbench::train::schedule_json;

TEST(LrSchedule, StepDecaysAfterEachMilestoneEpoch) {
  LrSchedule s;  // step at 50% and 75%, gamma 0.1
  // 10 epochs: milestones after epoch 5 and after epoch 8 (round(7.5) = 8).
  const double expected[] = {0.1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001};
  for (int e = 1; e <= 10; ++e)
    EXPECT_NEAR(lr_at(s, 0.1, e, 10), expected[e - 1], 1e-15) << "epoch " << e;
}

TEST(LrSchedule, CosineAndConstant) {
  LrSchedule s;
  s.kind = "cosine";
  EXPECT_DOUBLE_EQ(lr_at(s, 0.2, 1, 4), 0.2);
  EXPECT_NEAR(lr_at(s, 0.2, 3, 4), 0.1, 1e-15);  // cos(pi/2) = 0
  EXPECT_NEAR(lr_at(s, 0.2, 4, 4), 0.2 * 0.5 * (1 + std::cos(M_PI * 0.75)), 1e-15);
  s.kind = "constant";
  EXPECT_DOUBLE_EQ(lr_at(s, 0.3, 7, 9), 0.3);
}

TEST(LrSchedule, FractionsOfAShortPhaseRoundToEpochs) {
  LrSchedule s;  // step 0.5 0.75 over 3 epochs: both milestones round to epoch 2
  const double expected[] = {0.05, 0.05, 0.0005};
  for (int e = 1; e <= 3; ++e)
    EXPECT_NEAR(lr_at(s, 0.05, e, 3), expected[e - 1], 1e-15) << "epoch " << e;
}

TEST(LrSchedule, MilestoneEpochsDecayAfterThoseEpochs) {
  LrSchedule s;
  s.milestones.clear();
  s.milestone_epochs = {1, 2};  // PyTorch's int(f * E) of step 0.5 0.75 for E = 3
  const double expected[] = {0.05, 0.005, 0.0005};
  for (int e = 1; e <= 3; ++e)
    EXPECT_NEAR(lr_at(s, 0.05, e, 3), expected[e - 1], 1e-15) << "epoch " << e;
}

TEST(LrSchedule, MilestoneEpochsMatchPytorchMultiStepLr) {
  LrSchedule s;
  s.milestones.clear();
  s.milestone_epochs = {3, 7};
  // torch.optim.lr_scheduler.MultiStepLR(SGD(lr=0.1), [3, 7], 0.1), the lr of epochs 1..10 with
  // scheduler.step() after each epoch (PyTorch 1.13), printed with repr().
  const double pytorch[] = {0.1,
                            0.1,
                            0.1,
                            0.010000000000000002,
                            0.010000000000000002,
                            0.010000000000000002,
                            0.010000000000000002,
                            0.0010000000000000002,
                            0.0010000000000000002,
                            0.0010000000000000002};
  for (int e = 1; e <= 10; ++e)
    EXPECT_DOUBLE_EQ(lr_at(s, 0.1, e, 10), pytorch[e - 1]) << "epoch " << e;
  // The epochs do not scale with the phase: a 5-epoch phase reaches only the first milestone.
  EXPECT_DOUBLE_EQ(lr_at(s, 0.1, 5, 5), pytorch[4]);
}

TEST(LrSchedule, RecordedConfigShowsTheMilestones) {
  LrSchedule s;
  // Runs without lr_milestones record what they always did.
  EXPECT_EQ(
      schedule_json(s),
      (nlohmann::json{{"lr_schedule", "step"}, {"lr_milestones", {0.5, 0.75}}, {"lr_gamma", 0.1}}));
  s.milestones.clear();
  s.milestone_epochs = {80, 120};
  s.gamma = 0.2;
  EXPECT_EQ(schedule_json(s), (nlohmann::json{{"lr_schedule", "step"},
                                              {"lr_milestones", nlohmann::json::array()},
                                              {"lr_milestone_epochs", {80, 120}},
                                              {"lr_gamma", 0.2}}));
}

namespace {

// A small learnable problem, enough to run real epochs.
kdbench::train::PreparedData quadrant_data() {
  return kdbench::train::testing::quadrant_data(7, 32, 16, 16);
}

}  // namespace

// The trainer steps lr_milestones per epoch within each phase: Annealing-KD's stage II restarts
// the schedule as it does for fractions. The run's config records the milestones.
TEST(LrSchedule, TrainingFollowsMilestoneEpochsPhaseByPhase) {
  using namespace kdbench;
  const std::string ini = R"([grid]
data_dir = /unused
teachers = cnn4
students = cnn2
methods  = annealing
seeds    = 3
[train]
epochs = 3
batch_size = 16
lr = 0.05
lr_milestones = 1 2
[teacher]
epochs = 2
lr_schedule = step 0.5 0.75
[method.annealing]
tau_max = 1
stage2_epochs = 2
)";
  const auto graph = grid::expand(grid::parse_grid_text(ini, "lr.ini", grid::ParseOptions{false}));
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("kdbench-lr-" + std::to_string(::getpid())))
          .string();
  const train::PreparedData data = quadrant_data();
  const results::Artifacts artifacts{dir, /*fsync=*/false};
  train::TrainEnv env;
  env.data = &data;
  env.artifacts = &artifacts;
  torch::set_num_threads(1);
  std::vector<results::RunRecord> runs;
  for (const auto& task : graph.tasks) runs.push_back(train::run_task(task, env));  // teacher first
  std::filesystem::remove_all(dir);
  ASSERT_EQ(runs.size(), 2u);
  // Teacher, fractions over 2 epochs: round(1.0) = 1 and round(1.5) = 2.
  EXPECT_EQ(runs[0].kind, "teacher");
  EXPECT_EQ(runs[0].curves.lr.size(), 2u);
  EXPECT_NEAR(runs[0].curves.lr[1], 0.005, 1e-15);
  EXPECT_EQ(runs[0].config.count("lr_milestone_epochs"), 0u);
  EXPECT_EQ(runs[0].config.at("lr_milestones"), nlohmann::json(std::vector<double>{0.5, 0.75}));
  // Student: stage I (3 epochs) 0.05 0.005 0.0005, stage II (2 epochs) restarts: 0.05 0.005.
  EXPECT_EQ(runs[1].method, "annealing");
  const std::vector<double> expected = {0.05, 0.005, 0.0005, 0.05, 0.005};
  ASSERT_EQ(runs[1].curves.lr.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(runs[1].curves.lr[i], expected[i], 1e-15) << "epoch " << i + 1;
  EXPECT_EQ(runs[1].config.at("lr_schedule"), "step");
  EXPECT_EQ(runs[1].config.at("lr_milestone_epochs"), nlohmann::json(std::vector<int>{1, 2}));
}
