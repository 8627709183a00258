// Periodic training-state checkpoints and checksums: a kill -9 at any step boundary loses at most
// the work since the last checkpoint, and the rerun finishes bit for bit like a run never killed;
// a damaged resume state or teacher checkpoint is never used.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/train/net_io.h"
#include "kdbench/train/resume_state.h"
#include "kdbench/train/stop_flag.h"
#include "kdbench/train/trainer.h"
#include "quadrant_data.h"

using namespace kdbench;
namespace fs = std::filesystem;

namespace {

constexpr int kStepsPerEpoch = 6;  // 96 training images, batches of 16
constexpr int kEpochs = 3;

grid::TaskGraph graph_with(const std::string& checkpoint_minutes) {
  const std::string ini = R"([grid]
data_dir = /unused
teachers = cnn4
students = cnn2
methods  = kd
seeds    = 5
[train]
epochs = 3
batch_size = 16
eval_batch_size = 32
lr = 0.05
augment_padding = 2
[teacher]
epochs = 3
checkpoint_minutes = )" + checkpoint_minutes +
                          "\n";
  return grid::expand(grid::parse_grid_text(ini, "ckpt.ini", grid::ParseOptions{false}));
}

const grid::Task& teacher_of(const grid::TaskGraph& g) {
  for (const auto& t : g.tasks)
    if (t.kind == "teacher") return t;
  throw std::runtime_error("no teacher");
}

void flip_byte(const std::string& path, std::streamoff at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(at);
  const char c = static_cast<char>(f.get());
  f.seekp(at);
  f.put(static_cast<char>(c ^ 0x10));
}

struct CheckpointFixture : ::testing::Test {
  fs::path root = fs::temp_directory_path() / ("kdbench-ckpt-" + std::to_string(::getpid()));
  std::string dir = (root / "artifacts").string();
  std::string copy = (root / "at-kill").string();
  train::PreparedData data = train::testing::quadrant_data(123, 96, 40, 40);
  results::Artifacts artifacts{dir, false};
  train::TrainEnv env;
  void SetUp() override {
    env.data = &data;
    env.artifacts = &artifacts;
    torch::set_num_threads(1);
  }
  void TearDown() override { fs::remove_all(root); }
  train::Snapshot final_weights(const grid::Task& t) {
    auto net = models::make(t.model, 4, data.shape);
    train::load_net(*net, artifacts.path_for(t.key, "final.pt"));
    return train::snapshot(*net);
  }
  void expect_same_run(const results::RunRecord& a, const train::Snapshot& wa,
                       const results::RunRecord& b, const train::Snapshot& wb) {
    EXPECT_EQ(a.curves.epoch, b.curves.epoch);
    EXPECT_EQ(a.curves.train_loss, b.curves.train_loss);
    EXPECT_EQ(a.curves.val_acc, b.curves.val_acc);
    EXPECT_EQ(a.curves.test_acc, b.curves.test_acc);
    ASSERT_EQ(wa.size(), wb.size());
    for (const auto& [name, tensor] : wa) EXPECT_TRUE(torch::equal(tensor, wb.at(name))) << name;
  }
};

}  // namespace

TEST(CheckpointMinutes, IsNotPartOfTheTaskKey) {
  EXPECT_EQ(teacher_of(graph_with("0")).key, teacher_of(graph_with("2.5")).key);
  EXPECT_DOUBLE_EQ(teacher_of(graph_with("2.5")).train.checkpoint_minutes, 2.5);
  EXPECT_THROW(graph_with("-1"), ConfigError);
}

// A kill -9 is simulated by copying the artifacts directory at a step boundary (what the disk holds
// at that moment) and discarding the process's state: the run goes on to the end (the reference),
// then the copy is put back and the task run again.
TEST_F(CheckpointFixture, KillAtRandomStepsResumesFromTheLastCheckpointBitwise) {
  std::mt19937 rng(20261129);
  for (const std::string minutes : {"0", "0.0000001"}) {  // every epoch; every step
    const auto graph = graph_with(minutes);
    const auto& task = teacher_of(graph);
    const bool every_step = minutes != "0";
    for (int trial = 0; trial < 3; ++trial) {
      const int kill_at = std::uniform_int_distribution<int>(0, kEpochs * kStepsPerEpoch - 1)(rng);
      SCOPED_TRACE("checkpoint_minutes " + minutes + ", kill before step " +
                   std::to_string(kill_at));
      fs::remove_all(root);
      int step = 0;
      train::TrainEnv killed = env;
      killed.should_stop = [&] {
        if (step++ != kill_at) return false;
        fs::create_directories(dir);  // nothing written yet before the first save
        fs::copy(dir, copy, fs::copy_options::recursive);
        return false;
      };
      const auto reference = train::run_task(task, killed);
      const auto reference_weights = final_weights(task);
      ASSERT_TRUE(fs::exists(copy)) << "the kill happened";
      fs::remove_all(dir);
      fs::rename(copy, dir);

      // What the kill left: the last checkpoint before the killed step.
      const int epoch = kill_at / kStepsPerEpoch, in_epoch = kill_at % kStepsPerEpoch;
      int last_saved = -1;  // global step the saved state continues at; -1: none saved
      if (every_step) {
        last_saved = kill_at - 1;
      } else {  // saved at the start of epochs 2 and 3
        const int boundary = (in_epoch == 0 ? epoch - 1 : epoch) * kStepsPerEpoch;
        if (boundary > 0) last_saved = boundary;
      }
      if (last_saved < 0) {
        EXPECT_FALSE(artifacts.exists(task.key, train::kResumeFile));
      } else {
        const auto pos =
            train::peek_resume_position(artifacts.path_for(task.key, train::kResumeFile));
        EXPECT_EQ(pos.epoch * kStepsPerEpoch + pos.next_step, last_saved);
      }
      const auto rerun = train::run_task(task, env);
      expect_same_run(reference, reference_weights, rerun, final_weights(task));
      EXPECT_FALSE(artifacts.exists(task.key, train::kResumeFile));
    }
  }
}

TEST_F(CheckpointFixture, DamagedResumeStateRestartsTheTaskFromItsStart) {
  const auto graph = graph_with("0");
  const auto& task = teacher_of(graph);
  const auto reference = train::run_task(task, env);
  const auto reference_weights = final_weights(task);
  const std::string resume = artifacts.path_for(task.key, train::kResumeFile);
  for (const std::string damage : {"bit flip", "truncation"}) {
    SCOPED_TRACE(damage);
    int steps = 0;
    train::TrainEnv stopped = env;
    stopped.should_stop = [&] { return ++steps > 9; };  // mid-epoch 2
    EXPECT_THROW(train::run_task(task, stopped), train::Interrupted);
    const auto size = fs::file_size(resume);
    if (damage == "bit flip")
      flip_byte(resume, static_cast<std::streamoff>(size / 2));
    else
      fs::resize_file(resume, size - 100);
    EXPECT_THROW(train::peek_resume_position(resume), results::CorruptFile);
    const auto rerun = train::run_task(task, env);
    expect_same_run(reference, reference_weights, rerun, final_weights(task));
  }
}

TEST_F(CheckpointFixture, DamagedTeacherCheckpointIsNeverDistilledFrom) {
  const auto graph = graph_with("0");
  const auto& teacher = teacher_of(graph);
  train::run_task(teacher, env);
  const std::string final_pt = artifacts.path_for(teacher.key, "final.pt");
  flip_byte(final_pt, static_cast<std::streamoff>(fs::file_size(final_pt) / 3));
  const grid::Task* student = nullptr;
  for (const auto& t : graph.tasks)
    if (t.method == "kd") student = &t;
  ASSERT_NE(student, nullptr);
  try {
    train::run_task(*student, env);
    FAIL() << "a damaged teacher checkpoint must be refused";
  } catch (const results::CorruptFile& e) {
    EXPECT_NE(std::string(e.what()).find(final_pt + ": checksum mismatch"), std::string::npos)
        << e.what();
  }
}
