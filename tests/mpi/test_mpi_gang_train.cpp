// A task trained by a gang (the whole test world: 2 or 3 ranks) against the same task trained by
// one rank (docs/design.md, "Gangs"): without BatchNorm the gang reproduces the 1-rank run (within
// 1e-5 relative; only the order of floating-point sums differs), also with a global batch that
// does not divide by the gang, augmentation on, and a KD loss; with BatchNorm every member holds
// the same weights; an interrupted gang stops as one and resumes bit for bit; unaugmented, the
// gang's root builds the teacher-logit cache and the members read it; with eval_steps every
// member records the root's evaluation points.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <iostream>
#include <string>

#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/train/gang_sync.h"
#include "kdbench/train/logit_cache.h"
#include "kdbench/train/net_io.h"
#include "kdbench/train/stop_flag.h"
#include "kdbench/train/trainer.h"
#include "mpi_world.h"
#include "quadrant_data.h"

using namespace kdbench;
using mpi_test::world;
namespace fs = std::filesystem;

namespace {

grid::TaskGraph gang_graph(const std::string& teachers = "cnn4", bool augment = true,
                           int eval_steps = 0) {
  // batch 13: 96 training samples make 7 batches of 13 and one of 5 (2+2+1 over 3 members).
  const std::string ini = R"([grid]
data_dir = /unused
teachers = )" + teachers + R"(
students = mlp2
methods = nokd kd
seeds = 3
[train]
epochs = 2
batch_size = 13
eval_batch_size = 32
lr = 0.05
augment = )" + std::string(augment ? "true" : "false") +
                          R"(
augment_padding = 2
)" + (eval_steps > 0 ? "eval_steps = " + std::to_string(eval_steps) + "\n" : "") +
                          R"([teacher]
epochs = 2
)";
  return grid::expand(grid::parse_grid_text(ini, "gang.ini", grid::ParseOptions{false}));
}

// One directory name for the whole world (rank 0's choice), so a gang shares its artifacts.
std::string shared_dir(const std::string& what) {
  std::string dir =
      (fs::temp_directory_path() / ("kdbench-gang-" + what + "-" + std::to_string(::getpid())))
          .string();
  world().broadcast(dir, 0);
  return dir;
}

struct GangTrain : ::testing::Test {
  train::PreparedData data = train::testing::quadrant_data(123, 96, 40, 40);
  grid::TaskGraph graph = gang_graph();
  std::string alone_dir = shared_dir("alone") + "-rank" + std::to_string(world().rank());
  std::string gang_dir = shared_dir("gang");
  results::Artifacts alone{alone_dir}, gang{gang_dir};

  void SetUp() override { torch::set_num_threads(1); }
  void TearDown() override {
    world().barrier();
    fs::remove_all(alone_dir);
    if (world().rank() == 0) fs::remove_all(gang_dir);
  }
  train::TrainEnv env_for(const results::Artifacts& artifacts, comm::Communicator* g) {
    train::TrainEnv env;
    env.data = &data;
    env.artifacts = &artifacts;
    env.gang = g;
    return env;
  }
  const grid::Task& find(const std::string& kind, const std::string& method) {
    for (const auto& t : graph.tasks)
      if (t.kind == kind && t.method == method) return t;
    throw std::runtime_error("no such task");
  }
  // Weights through the gang's tensors: a task's recorded curves are its outcome here (plain
  // students keep no checkpoint).
  static void expect_close(const std::vector<double>& gang_values,
                           const std::vector<double>& alone_values, const char* what) {
    ASSERT_EQ(gang_values.size(), alone_values.size()) << what;
    for (size_t i = 0; i < gang_values.size(); ++i)
      EXPECT_NEAR(gang_values[i], alone_values[i], 1e-5 * std::abs(alone_values[i]) + 1e-9)
          << what << "[" << i << "] on rank " << world().rank();
  }
};

std::vector<double> fingerprint(models::NetImpl& net) {
  std::vector<double> v;
  for (const auto& p : net.parameters()) {
    v.push_back(p.sum().item<double>());
    v.push_back(p.abs().sum().item<double>());
  }
  return v;
}

}  // namespace

TEST_F(GangTrain, NoNormStudentMatchesTheOneRankRun) {
  const auto& task = find("student", "nokd");
  const auto one = train::run_task(task, env_for(alone, nullptr));
  const auto ganged = train::run_task(task, env_for(gang, &world()));
  expect_close(ganged.curves.train_loss, one.curves.train_loss, "train_loss");
  expect_close(ganged.curves.train_acc, one.curves.train_acc, "train_acc");
  EXPECT_EQ(ganged.curves.val_acc, one.curves.val_acc);
  EXPECT_EQ(ganged.curves.test_acc, one.curves.test_acc);
  EXPECT_EQ(ganged.best_epoch, one.best_epoch);
}

// eval_steps: the root evaluates at every point and the members take its numbers, so every member
// records the same points and selects the same best one; without BatchNorm they are those of the
// 1-rank run.
TEST_F(GangTrain, EvaluationPointsAreTheRootsOnEveryMember) {
  graph = gang_graph("cnn4", true, 3);  // 8 steps per epoch: points 3 6 8 9 12 15 16
  const auto& task = find("student", "nokd");
  const auto one = train::run_task(task, env_for(alone, nullptr));
  const auto ganged = train::run_task(task, env_for(gang, &world()));
  std::string roots = ganged.evaluations.dump() + " best " + std::to_string(ganged.best_step);
  world().broadcast(roots, 0);
  EXPECT_EQ(ganged.evaluations.dump() + " best " + std::to_string(ganged.best_step), roots);
  ASSERT_EQ(ganged.evaluations.size(), 7u);
  ASSERT_EQ(one.evaluations.size(), 7u);
  for (size_t i = 0; i < one.evaluations.size(); ++i) {
    EXPECT_EQ(ganged.evaluations[i].at("step"), one.evaluations[i].at("step"));
    EXPECT_EQ(ganged.evaluations[i].at("val_acc"), one.evaluations[i].at("val_acc")) << i;
  }
  EXPECT_EQ(ganged.best_step, one.best_step);
}

// Weights, not only curves: an mlp2 teacher (a task that keeps its final weights). The largest
// relative difference is printed for the record (docs/design.md §3.6).
TEST_F(GangTrain, NoNormTeacherWeightsMatchTheOneRankRun) {
  graph = gang_graph("mlp2");
  const auto& task = find("teacher", "");
  const auto one = train::run_task(task, env_for(alone, nullptr));
  const auto ganged = train::run_task(task, env_for(gang, &world()));
  world().barrier();
  auto a = models::make("mlp2", 4, data.shape), g = models::make("mlp2", 4, data.shape);
  train::load_net(*a, alone.path_for(task.key, "final.pt"));
  train::load_net(*g, gang.path_for(task.key, "final.pt"));
  double worst = 0;
  const auto pa = a->parameters(), pg = g->parameters();
  ASSERT_EQ(pa.size(), pg.size());
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_TRUE(torch::allclose(pg[i], pa[i], 1e-5, 1e-7)) << "parameter " << i;
    worst = std::max(worst, ((pg[i] - pa[i]).norm() / pa[i].norm()).item<double>());
  }
  double loss_worst = 0;
  for (size_t e = 0; e < one.curves.train_loss.size(); ++e)
    loss_worst =
        std::max(loss_worst, std::abs(ganged.curves.train_loss[e] / one.curves.train_loss[e] - 1));
  expect_close(ganged.curves.train_loss, one.curves.train_loss, "train_loss");
  if (world().rank() == 0)
    std::cout << "gang of " << world().size() << " vs 1 rank (mlp2, 2 epochs, batch 13): largest "
              << "relative difference of a weight tensor (L2) " << worst << ", train loss "
              << loss_worst << std::endl;
}

TEST_F(GangTrain, KdStudentMatchesTheOneRankRunAndOnlyTheRootWrites) {
  // The teacher, trained alone on every rank (deterministic: the same file everywhere), is
  // copied into the gang's directory by rank 0.
  const auto& teacher = find("teacher", "");
  train::run_task(teacher, env_for(alone, nullptr));
  if (world().rank() == 0) {
    const fs::path to = gang.path_for(teacher.key, "final.pt");
    fs::create_directories(to.parent_path());
    fs::copy_file(alone.path_for(teacher.key, "final.pt"), to);
  }
  world().barrier();
  const auto& task = find("student", "kd");
  const auto one = train::run_task(task, env_for(alone, nullptr));
  const auto ganged = train::run_task(task, env_for(gang, &world()));
  expect_close(ganged.curves.train_loss, one.curves.train_loss, "train_loss");
  EXPECT_EQ(ganged.curves.val_acc, one.curves.val_acc);
  EXPECT_EQ(ganged.curves.test_acc, one.curves.test_acc);
}

// Unaugmented KD: the root gets or builds the teacher-logit cache file, the members read it after
// one collective (none computes it), and the gang still matches the 1-rank run.
TEST_F(GangTrain, KdStudentFromTheLogitCacheIsBuiltByTheRootOnly) {
  graph = gang_graph("cnn4", /*augment=*/false);
  const auto& teacher = find("teacher", "");
  train::run_task(teacher, env_for(alone, nullptr));
  if (world().rank() == 0) {
    const fs::path to = gang.path_for(teacher.key, "final.pt");
    fs::create_directories(to.parent_path());
    fs::copy_file(alone.path_for(teacher.key, "final.pt"), to);
  }
  world().barrier();
  const auto& task = find("student", "kd");
  const auto one = train::run_task(task, env_for(alone, nullptr));
  train::forget_cached_logits();
  const auto before = train::logit_cache_stats();
  const auto ganged = train::run_task(task, env_for(gang, &world()));
  const auto after = train::logit_cache_stats();
  const bool root = world().rank() == 0;
  EXPECT_EQ(after.computed - before.computed, root ? 1 : 0) << "rank " << world().rank();
  EXPECT_EQ(after.read_from_file - before.read_from_file, root ? 0 : 1)
      << "rank " << world().rank();
  EXPECT_EQ(ganged.config.at("teacher_logits").at("source"), "cache");
  world().barrier();
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(gang.dir_for(teacher.key)))
    if (e.path().filename().string().rfind("logits-", 0) == 0) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(results::sealed_file_intact(files.front()));
  expect_close(ganged.curves.train_loss, one.curves.train_loss, "train_loss");
  EXPECT_EQ(ganged.curves.val_acc, one.curves.val_acc);
  EXPECT_EQ(ganged.curves.test_acc, one.curves.test_acc);
}

TEST_F(GangTrain, WithBatchNormEveryMemberHoldsTheRootsWeights) {
  // Per-member BatchNorm statistics (DDP's default) make this differ from a 1-rank run by design;
  // the parameters stay identical on every member and the root's checkpoint is the result.
  const auto& teacher = find("teacher", "");
  const auto rec = train::run_task(teacher, env_for(gang, &world()));
  EXPECT_EQ(rec.status, results::Status::Done);
  EXPECT_GT(rec.best_test_acc, 0.4) << "the gang learns the synthetic task";
  world().barrier();
  auto net = models::make("cnn4", 4, data.shape);
  train::load_net(*net, gang.path_for(teacher.key, "final.pt"));
  // The members' weights are not returned; their records' accuracies are the root's.
  std::vector<double> mine{rec.best_val_acc, rec.final_test_acc};
  std::vector<double> roots = mine;
  train::broadcast_values(world(), roots);
  EXPECT_EQ(mine, roots);
  auto fp = fingerprint(*net), root_fp = fp;
  train::broadcast_values(world(), root_fp);
  EXPECT_EQ(fp, root_fp);
}

TEST_F(GangTrain, AStopOnOneMemberStopsTheGangAndTheResumeIsBitwiseIdentical) {
  const auto& task = find("student", "nokd");
  const auto whole = train::run_task(task, env_for(gang, &world()));
  world().barrier();
  if (world().rank() == 0) fs::remove_all(gang_dir);
  world().barrier();
  // Only the last member sees the stop request, at its 10th step boundary (epoch 2).
  int polls = 0;
  auto env = env_for(gang, &world());
  const bool last = world().rank() == world().size() - 1;
  env.should_stop = [&] { return last && ++polls == 10; };
  bool interrupted = false;
  try {
    train::run_task(task, env);
  } catch (const train::Interrupted&) {
    interrupted = true;
  }
  EXPECT_TRUE(interrupted) << "every member stops, not only the one that saw the request";
  world().barrier();
  EXPECT_TRUE(gang.exists(task.key, "resume.pt"));
  const auto resumed = train::run_task(task, env_for(gang, &world()));
  EXPECT_EQ(resumed.curves.epoch, whole.curves.epoch);
  EXPECT_EQ(resumed.curves.train_loss, whole.curves.train_loss);
  EXPECT_EQ(resumed.curves.val_acc, whole.curves.val_acc);
}
