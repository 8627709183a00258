// The cost model (kdbench/sched/cost_model.h) and the schedule estimate built on it
// (kdbench/sched/schedule_estimate.h), with values computed by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/sched/cost_model.h"
#include "kdbench/sched/schedule_estimate.h"

using namespace kdbench;
using sched::CostModel;

namespace {

grid::Task task_of(const std::string& key, const std::string& model, double cost, int epochs,
                   std::vector<std::string> deps = {}, int gang = 1) {
  grid::Task t;
  t.key = key;
  t.kind = "student";
  t.model = model;
  t.cost = cost;
  t.total_epochs = epochs;
  t.deps = std::move(deps);
  t.gang_size = gang;
  return t;
}

grid::TaskGraph graph_of(std::vector<grid::Task> tasks) {
  grid::TaskGraph g;
  for (auto& t : tasks) {
    g.index[t.key] = g.tasks.size();
    g.tasks.push_back(std::move(t));
  }
  return g;
}

}  // namespace

TEST(CostModel, PriorIsTheTasksMultiplyAccumulatesOverTheNominalThroughput) {
  const CostModel model;
  const auto t = task_of("a", "cnn2", 3e9, 2);
  EXPECT_DOUBLE_EQ(model.prior_seconds(t, "cpu"), 3e9 / sched::kCpuMacsPerSecond);
  EXPECT_DOUBLE_EQ(model.prior_seconds(t, "cuda"), 3e9 / sched::kCudaMacsPerSecond);
  EXPECT_DOUBLE_EQ(model.prior_seconds(t, "cpu", 4), 3e9 / sched::kCpuMacsPerSecond / 4);
  EXPECT_DOUBLE_EQ(model.seconds(t), model.prior_seconds(t, "cpu"));  // nothing measured yet
  EXPECT_THROW(CostModel("tpu"), ConfigError);
  EXPECT_EQ(sched::device_kind_of("cuda:3"), "cuda");
  EXPECT_EQ(sched::device_kind_of("cpu"), "cpu");
}

// Training = 3 forward passes' worth per training image (plus the teacher's forward pass for a
// distilling student), one per evaluated image, every epoch: 1,000 training images
// (train_subset), 6,000 validation + 10,000 test images.
TEST(CostModel, PriorOfRealGridTasksByHand) {
  const auto graph = grid::expand(grid::parse_grid_text(R"([grid]
name     = cm
dataset  = fashion-mnist
data_dir = /not-read
teachers = cnn4
students = cnn2
methods  = kd
seeds    = 1
[train]
epochs       = 2
train_subset = 1000
[teacher]
epochs = 3
)",
                                                        "g.ini", grid::ParseOptions{false}));
  ASSERT_EQ(graph.tasks.size(), 2u);
  const auto& teacher = graph.tasks[0];
  const auto& student = graph.tasks[1];
  ASSERT_EQ(teacher.kind, "teacher");
  const double m4 = teacher.macs_per_image, m2 = student.macs_per_image;
  ASSERT_GT(m4, m2);
  const CostModel model;
  EXPECT_NEAR(model.seconds(teacher), 3 * (3 * m4 * 1000 + m4 * 16000) / 1e10,
              1e-9 * model.seconds(teacher));
  EXPECT_NEAR(model.seconds(student), 2 * ((3 * m2 + m4) * 1000 + m2 * 16000) / 1e10,
              1e-9 * model.seconds(student));
}

TEST(CostModel, RefinedByTheGeometricMeanOfMeasuredOverPredictedEpochs) {
  CostModel model;
  // 20 GMAC in 2 epochs: 1 s per epoch predicted on the CPU (10 GMAC/s).
  ASSERT_EQ(sched::kCpuMacsPerSecond, 1e10);
  const auto cnn2 = task_of("a", "cnn2", 2e10, 2);
  const auto cnn4 = task_of("b", "cnn4", 4e10, 2);
  const uint64_t v0 = model.version();
  model.observe_epoch(cnn2, "cpu", 2.0);
  model.observe_epoch(cnn2, "cpu", 8.0);
  EXPECT_EQ(model.version(), v0 + 2);
  EXPECT_NEAR(model.scale("cnn2", "cpu"), 4.0, 1e-12);  // sqrt(2 * 8)
  EXPECT_NEAR(model.seconds(cnn2), 8.0, 1e-9);          // 2 s predicted × 4
  // A model never measured takes the kind's scale over every model: cnn2's so far.
  EXPECT_NEAR(model.seconds(cnn4), 16.0, 1e-9);
  // Once measured, its own: 2 s predicted per epoch, 2 s measured.
  model.observe_epoch(cnn4, "cpu", 2.0);
  EXPECT_NEAR(model.scale("cnn4", "cpu"), 1.0, 1e-12);
  EXPECT_NEAR(model.scale("cnn6", "cpu"), std::cbrt(2.0 * 8.0 * 1.0), 1e-12);
  // Another kind learns nothing from CPU epochs.
  EXPECT_DOUBLE_EQ(model.seconds(cnn2, "cuda"), 2e10 / sched::kCudaMacsPerSecond);
  // Nothing measured: ignored.
  model.observe_epoch(cnn2, "cpu", 0);
  model.observe_epoch(cnn2, "", 5);
  model.observe_epoch(cnn2, "mps", 5);
  EXPECT_EQ(model.version(), v0 + 3);
}

TEST(CostModel, LearnsEveryEpochOfARecordOnItsDeviceAndGang) {
  CostModel model;
  const auto t = task_of("a", "resnet8", 3e9, 2);
  results::RunRecord rec;
  rec.device = "cuda:1";
  rec.gang = {{"size", 2}, {"ranks", {0, 1}}};
  // Predicted per epoch on a gang of 2 GPUs: 3e9 / (2 × 1e12) / 2 = 0.75 ms; measured 1.5 ms.
  rec.curves.seconds = {0.0015, 0.0015, -1};
  EXPECT_EQ(model.observe_record(t, rec), 2);
  EXPECT_NEAR(model.scale("resnet8", "cuda"), 2.0, 1e-12);
  EXPECT_DOUBLE_EQ(model.scale("resnet8", "cpu"), 1.0);
  rec.device = "";  // no device recorded: nothing to learn
  EXPECT_EQ(model.observe_record(t, rec), 0);
}

// A (10 s) before B (5 s) and C (7 s); D (1 s) alone.
TEST(ScheduleEstimate, CriticalPathsBoundAndListScheduleByHand) {
  const auto g = graph_of({task_of("A", "m", 10, 1), task_of("B", "m", 5, 1, {"A"}),
                           task_of("C", "m", 7, 1, {"A"}), task_of("D", "m", 1, 1)});
  const std::vector<double> dur = {10, 5, 7, 1};
  EXPECT_EQ(sched::critical_path_seconds(g, dur), (std::vector<double>{17, 5, 7, 1}));
  const auto seconds = [](const grid::Task& t) { return t.cost; };
  // 2 ranks: A and D at 0; B and C when A ends at 10; C ends at 17 = the critical path.
  const auto two = sched::estimate_schedule(g, 2, sched::Policy::Refined, seconds);
  EXPECT_DOUBLE_EQ(two.work_rank_seconds, 23);
  EXPECT_DOUBLE_EQ(two.critical_path, 17);
  EXPECT_DOUBLE_EQ(two.lower_bound, 17);
  EXPECT_DOUBLE_EQ(two.makespan, 17);
  EXPECT_EQ(two.tasks, 4u);
  EXPECT_DOUBLE_EQ(sched::estimate_schedule(g, 1, sched::Policy::Refined, seconds).makespan, 23);
  // FIFO on 2 ranks is the same here; with A done, 3 tasks of 13 s on 1 rank.
  const auto rest = sched::estimate_schedule(g, 1, sched::Policy::Fifo, seconds, {"A"});
  EXPECT_EQ(rest.tasks, 3u);
  EXPECT_DOUBLE_EQ(rest.makespan, 13);
  EXPECT_DOUBLE_EQ(rest.critical_path, 7);
}

// A gang of 2 (4 s) behind a 1-rank task on 2 ranks: it waits for both; priority first means the
// short single-rank tasks never take a reserved rank.
TEST(ScheduleEstimate, GangsWaitForTheirRanksWithReservation) {
  const auto g =
      graph_of({task_of("G", "m", 4, 1, {}, 2), task_of("S", "m", 1, 1), task_of("T", "m", 1, 1)});
  const auto seconds = [](const grid::Task& t) { return t.cost; };
  // Refined: G (4) first on both ranks, then S and T together: 5.
  EXPECT_DOUBLE_EQ(sched::estimate_schedule(g, 2, sched::Policy::Refined, seconds).makespan, 5);
  // Three ranks: G on two, S then T on the third: 4.
  EXPECT_DOUBLE_EQ(sched::estimate_schedule(g, 3, sched::Policy::Refined, seconds).makespan, 4);
  // One rank: the gang is clamped to it.
  EXPECT_DOUBLE_EQ(sched::estimate_schedule(g, 1, sched::Policy::Refined, seconds).makespan, 6);
}

TEST(ScheduleEstimate, PoliciesByName) {
  EXPECT_EQ(sched::policy_named("fifo"), sched::Policy::Fifo);
  EXPECT_EQ(sched::name_of(sched::policy_named("static")), "static");
  EXPECT_EQ(sched::name_of(sched::policy_named("refined")), "refined");
  EXPECT_THROW(sched::policy_named("random"), ConfigError);
}
