// The coordinator's use of the cost model (docs/design.md §3.6): the policies' dispatch orders,
// priorities refined from epoch times already in the results file, the ETA, and the progress
// file `kdbench status` reads — the real Coordinator against fake workers.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <thread>

#include "coordinator_fixture.h"
#include "kdbench/comm/single_process.h"
#include "kdbench/sched/coordinator.h"
#include "kdbench/sched/progress_report.h"

using namespace kdbench;
using sched_test::all_done;

namespace {

// Two teachers per model (teacher seeds 1 and 2), so a finished one can teach the cost model
// about the other; cnn8 costs more multiply-accumulates than cnn4.
const char* kTwoTeacherSeeds = R"([grid]
name     = est
dataset  = fashion-mnist
data_dir = /not-read
teachers = cnn8 cnn4
students = cnn2
methods  = kd
seeds    = 1 2
teacher_seeds = 1 2
[train]
epochs = 2
[teacher]
epochs = 3
)";

class CoordinatorEstimates : public sched_test::CoordinatorFixture {
 protected:
  const grid::Task& teacher_of(const std::string& model, int64_t seed) const {
    for (const auto& t : graph_.tasks)
      if (t.kind == "teacher" && t.model == model && t.seed == seed) return t;
    throw std::runtime_error("no teacher " + model);
  }
  // DONE in the file (an earlier job) with every epoch `ratio` times the CPU prior.
  void measured_earlier(const grid::Task& t, double ratio) {
    finished_earlier(t);
    results::RunRecord rec = *store_.get(t.key);
    rec.device = "cpu";
    const double prior_epoch = t.cost / sched::kCpuMacsPerSecond / t.total_epochs;
    rec.curves.seconds.assign(rec.curves.epoch.size(), ratio * prior_epoch);
    store_.put(rec);
  }
  nlohmann::json progress_file() const {
    std::ifstream in(dir_.file("results.h5") + ".progress.json");
    return nlohmann::json::parse(in);
  }
};

}  // namespace

TEST_F(CoordinatorEstimates, FifoDispatchesInGridOrder) {
  load(kTwoTeacherSeeds);
  scheduling_.policy = sched::Policy::Fifo;
  const auto run = run_single(all_done());
  std::vector<std::string> grid_order;
  for (const auto& t : graph_.tasks) grid_order.push_back(t.key);
  EXPECT_EQ(run.assigned(), grid_order);
}

// Finished teachers of seed 1 in the file: cnn8's epochs took what the prior says, cnn4's 1,000
// times as long. Under `refined` the remaining cnn4 teacher now has the longest remaining critical
// path and starts first; `static` still starts with the cnn8 teacher (more multiply-accumulates).
TEST_F(CoordinatorEstimates, EpochTimesInTheResultsFileRefineThePriorities) {
  load(kTwoTeacherSeeds);
  measured_earlier(teacher_of("cnn8", 1), 1);
  measured_earlier(teacher_of("cnn4", 1), 1000);
  {
    comm::SingleProcessCommunicator comm;
    const sched::Coordinator c(graph_, store_, artifacts_, comm);
    EXPECT_NEAR(c.cost_model().scale("cnn4", "cpu"), 1000, 1e-6);
    EXPECT_NEAR(c.cost_model().scale("cnn8", "cpu"), 1, 1e-9);
    EXPECT_NEAR(c.cost_model().scale("cnn2", "cpu"), std::sqrt(1000.0), 1e-6) << "the fallback";
  }
  scheduling_.policy = sched::Policy::Static;
  EXPECT_EQ(run_single(all_done()).assigned().front(), teacher_of("cnn8", 2).key);
}

TEST_F(CoordinatorEstimates, RefinedStartsWithTheTeacherMeasuredSlow) {
  load(kTwoTeacherSeeds);
  measured_earlier(teacher_of("cnn8", 1), 1);
  measured_earlier(teacher_of("cnn4", 1), 1000);
  EXPECT_EQ(run_single(all_done()).assigned().front(), teacher_of("cnn4", 2).key);
}

// Nothing measured, one rank: the ETA is the whole work (it exceeds the critical path).
TEST_F(CoordinatorEstimates, EtaBeforeAnythingRanIsTheEstimatedWorkOverTheRanks) {
  load(kTwoTeacherSeeds);
  comm::SingleProcessCommunicator comm;
  const sched::Coordinator c(graph_, store_, artifacts_, comm);
  double work = 0;
  for (const auto& t : graph_.tasks) work += t.cost / sched::kCpuMacsPerSecond;
  EXPECT_NEAR(c.eta_seconds(), work, 1e-9 * work);
}

// While a task runs, the progress file lists it on its rank with its estimate; at the end it
// says the job finished, with every task done.
TEST_F(CoordinatorEstimates, ProgressFileListsRunningTasksThenTheFinishedJob) {
  load(kTwoTeacherSeeds);
  scheduling_.progress_every_seconds = 0;  // rewrite at every loop turn
  const std::string path = dir_.file("results.h5") + ".progress.json";
  int seen_running = 0;
  const auto run = run_single([&](const grid::Task& t, int rank) {
    // The coordinator rewrites the file while this fake worker "trains".
    for (int i = 0; i < 500; ++i) {
      try {
        std::ifstream in(path);
        const auto p = nlohmann::json::parse(in);
        const auto& running = p.at("running_tasks");
        if (p.at("state") == "running" && running.size() == 1 && running[0].at("key") == t.key) {
          EXPECT_EQ(running[0].at("ranks"), nlohmann::json::array({rank}));
          EXPECT_NEAR(running[0].at("estimate_seconds").get<double>(),
                      t.cost / sched::kCpuMacsPerSecond, 1e-9 * t.cost);
          EXPECT_GT(p.at("eta_seconds").get<double>(), 0);
          ++seen_running;
          break;
        }
      } catch (const std::exception&) {
        // not written yet
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return sched_test::done_record(t);
  });
  EXPECT_EQ(run.coordinator_code, kExitOk);
  EXPECT_EQ(seen_running, static_cast<int>(graph_.tasks.size()));
  const auto p = progress_file();
  EXPECT_EQ(p.at("state"), "finished");
  EXPECT_EQ(p.at("done"), graph_.tasks.size());
  EXPECT_EQ(p.at("running_tasks").size(), 0u);
  EXPECT_EQ(p.at("policy"), "refined");
  const auto lines = sched::describe_progress(p, p.at("unix_time").get<double>() + 1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("job finished (progress file 1 s old", 0), 0u) << lines[0];
}
