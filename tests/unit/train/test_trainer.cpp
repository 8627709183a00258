#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>

#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/train/evaluate.h"
#include "kdbench/train/net_io.h"
#include "kdbench/train/resume_state.h"
#include "kdbench/train/stop_flag.h"
#include "kdbench/train/trainer.h"
#include "quadrant_data.h"

using namespace kdbench;

namespace {

// A learnable synthetic problem: the label is which quadrant of the image is brightest.
train::PreparedData synthetic_data() { return train::testing::quadrant_data(123, 96, 40, 40); }

grid::TaskGraph tiny_graph() {
  const std::string ini = R"([grid]
data_dir = /unused
teachers = cnn4
students = cnn2
methods = nokd kd
seeds = 5
teacher_checkpoints = 2 final
[train]
epochs = 3
batch_size = 16
eval_batch_size = 32
lr = 0.05
augment = true
augment_padding = 2
[teacher]
epochs = 3
checkpoints = 2
)";
  return grid::expand(grid::parse_grid_text(ini, "tiny.ini", grid::ParseOptions{false}));
}

struct Fixture : ::testing::Test {
  std::string dir =
      (std::filesystem::temp_directory_path() / ("kdbench-trainer-" + std::to_string(::getpid())))
          .string();
  train::PreparedData data = synthetic_data();
  results::Artifacts artifacts{dir};
  grid::TaskGraph graph = tiny_graph();
  train::TrainEnv env;
  void SetUp() override {
    env.data = &data;
    env.artifacts = &artifacts;
    env.threads = 1;
    torch::set_num_threads(1);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  const grid::Task& find(const std::string& kind, const std::string& method, int checkpoint = -1) {
    for (const auto& t : graph.tasks)
      if (t.kind == kind && t.method == method && t.teacher_checkpoint == checkpoint) return t;
    throw std::runtime_error("no such task");
  }
};

}  // namespace

TEST_F(Fixture, TeacherThenStudentRecordsCurvesAndCheckpoints) {
  const auto& teacher = find("teacher", "");
  const auto rec = train::run_task(teacher, env);
  EXPECT_EQ(rec.status, results::Status::Done);
  ASSERT_EQ(rec.curves.size(), 3u);
  EXPECT_EQ(rec.curves.epoch, (std::vector<int>{1, 2, 3}));
  EXPECT_NEAR(rec.curves.lr[0], 0.05, 1e-12);
  EXPECT_NEAR(rec.curves.lr[2], 0.0005,
              1e-12);  // 3 epochs: decays after epoch 2 (round 1.5) and 2 (round 2.25)
  EXPECT_TRUE(artifacts.exists(teacher.key, "epoch-2.pt"));
  EXPECT_TRUE(artifacts.exists(teacher.key, "final.pt"));
  EXPECT_TRUE(rec.checkpoints.contains("2"));
  // Best-val bookkeeping is consistent with the curves.
  const auto best = std::max_element(rec.curves.val_acc.begin(), rec.curves.val_acc.end());
  EXPECT_DOUBLE_EQ(rec.best_val_acc, *best);
  EXPECT_DOUBLE_EQ(rec.test_acc_at_best_val,
                   rec.curves.test_acc[best - rec.curves.val_acc.begin()]);
  EXPECT_DOUBLE_EQ(rec.final_test_acc, rec.curves.test_acc.back());
  EXPECT_GT(rec.best_test_acc, 0.4) << "the synthetic task is learnable";

  // The final checkpoint reproduces the recorded final test accuracy.
  auto net = models::make("cnn4", 4, data.shape);
  train::load_net(*net, artifacts.path_for(teacher.key, "final.pt"));
  EXPECT_DOUBLE_EQ(train::accuracy(*net, data.test.x, data.test.y, 32), rec.final_test_acc);

  const auto student = train::run_task(find("student", "kd"), env);
  EXPECT_EQ(student.status, results::Status::Done);
  EXPECT_EQ(student.teacher_model, "cnn4");
  for (double l : student.curves.train_loss) EXPECT_TRUE(std::isfinite(l));
  EXPECT_FALSE(artifacts.exists(student.key, "final.pt")) << "plain students keep no checkpoint";
}

TEST_F(Fixture, SameTaskTwiceIsBitwiseIdentical) {
  const auto& task = find("teacher", "");
  auto load_final = [&] {
    auto net = models::make("cnn4", 4, data.shape);
    train::load_net(*net, artifacts.path_for(task.key, "final.pt"));
    return train::snapshot(*net);
  };
  const auto a = train::run_task(task, env);
  const auto weights_a = load_final();
  const auto b = train::run_task(task, env);
  const auto weights_b = load_final();
  EXPECT_EQ(a.curves.train_loss, b.curves.train_loss);  // exact equality, not near
  EXPECT_EQ(a.curves.val_acc, b.curves.val_acc);
  EXPECT_EQ(a.curves.test_acc, b.curves.test_acc);
  ASSERT_EQ(weights_a.size(), weights_b.size());
  for (const auto& [name, tensor] : weights_a)
    EXPECT_TRUE(torch::equal(tensor, weights_b.at(name))) << name;
}

TEST_F(Fixture, KdAndNokdShareInitAndDataOrder) {
  const auto& kd = find("student", "kd");
  const auto& nokd = find("student", "nokd");
  EXPECT_EQ(train::init_seed(kd), train::init_seed(nokd));
  EXPECT_EQ(train::data_seed(kd), train::data_seed(nokd));
  EXPECT_NE(train::init_seed(kd), train::init_seed(find("teacher", "")));
}

TEST_F(Fixture, MissingTeacherCheckpointIsAClearError) {
  try {
    train::run_task(find("student", "kd"), env);
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("final.pt: checkpoint not found"), std::string::npos)
        << e.what();
  }
}

// Interrupt at several step boundaries (mid-epoch, epoch start, last epoch) and resume: the
// finished run equals the uninterrupted one bit for bit, and its curve has every epoch exactly
// once.
TEST_F(Fixture, InterruptAndResumeIsBitwiseIdentical) {
  const auto& teacher = find("teacher", "");
  const auto reference = train::run_task(teacher, env);
  auto load_final = [&] {
    auto net = models::make("cnn4", 4, data.shape);
    train::load_net(*net, artifacts.path_for(teacher.key, "final.pt"));
    return train::snapshot(*net);
  };
  const auto reference_weights = load_final();
  for (int stop_at : {3, 6, 13}) {  // 6 steps per epoch: mid-epoch 1, start of epoch 2, mid-epoch 3
    SCOPED_TRACE("stop at step " + std::to_string(stop_at));
    int steps = 0;
    train::TrainEnv interrupted = env;
    interrupted.should_stop = [&] { return ++steps > stop_at; };
    EXPECT_THROW(train::run_task(teacher, interrupted), train::Interrupted);
    EXPECT_TRUE(artifacts.exists(teacher.key, train::kResumeFile));
    const auto resumed = train::run_task(teacher, env);
    EXPECT_FALSE(artifacts.exists(teacher.key, train::kResumeFile))
        << "resume state removed when done";
    EXPECT_EQ(resumed.curves.epoch, (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(resumed.curves.train_loss, reference.curves.train_loss);
    EXPECT_EQ(resumed.curves.test_acc, reference.curves.test_acc);
    EXPECT_EQ(resumed.checkpoints, reference.checkpoints);
    const auto weights = load_final();
    for (const auto& [name, tensor] : reference_weights)
      EXPECT_TRUE(torch::equal(tensor, weights.at(name))) << name;
  }
}

TEST(StopFlag, SignalsSetTheFlag) {
  train::reset_stop_for_tests();
  train::install_stop_handlers();
  EXPECT_FALSE(train::stop_requested());
  std::raise(SIGUSR1);
  EXPECT_TRUE(train::stop_requested());
  EXPECT_EQ(train::stop_reason(), "SIGUSR1");
  train::reset_stop_for_tests();
  std::raise(SIGTERM);
  EXPECT_EQ(train::stop_reason(), "SIGTERM");
  train::reset_stop_for_tests();
}

// The checkpoint-search axis: a student pinned to teacher epoch 2 reads epoch-2.pt, not final.pt.
TEST_F(Fixture, CheckpointSearchStudentsDistillFromTheirCheckpoint) {
  const auto& teacher = find("teacher", "");
  train::run_task(teacher, env);
  const auto at_final = train::run_task(find("student", "kd", -1), env);
  const auto at_two = train::run_task(find("student", "kd", 2), env);
  EXPECT_EQ(at_two.teacher_checkpoint, 2);
  EXPECT_NE(at_final.curves.train_loss, at_two.curves.train_loss);
  std::filesystem::remove(artifacts.path_for(teacher.key, "epoch-2.pt"));
  try {
    train::run_task(find("student", "kd", 2), env);
    FAIL() << "a missing epoch-2.pt must be an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("epoch-2.pt: checkpoint not found"), std::string::npos)
        << e.what();
  }
}
