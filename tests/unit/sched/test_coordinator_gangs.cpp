// Gangs in the coordinator (docs/design.md §3.6): a task with gang_size k goes to k idle ranks at
// once, one message each naming the same ranks (root first); a gang waiting for ranks reserves
// the idle ones, so cheaper tasks behind it never starve it; gang_size beyond the world is
// clamped. Real Coordinator, fake workers on an in-process cluster, real results file.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "coordinator_fixture.h"
#include "gang_grid.h"
#include "kdbench/core/errors.h"

using namespace kdbench;
using sched_test::all_done;
using sched_test::Event;
using sched_test::GridRun;
using sched_test::kTeacherGangs;
using Status = results::Status;

namespace {

// cnn6 students are gangs of the whole 3-rank world, more expensive (higher priority) than the
// single-rank cnn2 students that would otherwise keep a rank busy at every moment. Every task is
// ready from the start.
const char* kWholeWorldGangs = R"([grid]
name     = starve
dataset  = fashion-mnist
data_dir = /not-read
students = cnn6 cnn2
methods  = nokd
seeds    = 1 2 3 4 5 6
[train]
epochs = 2
[gang_size]
cnn6 = 3
)";

using CoordinatorGangs = sched_test::CoordinatorFixture;

// Per task, the Assigned events (one per member).
std::map<std::string, std::vector<Event>> assignments_by_key(const GridRun& run) {
  std::map<std::string, std::vector<Event>> by_key;
  for (const auto& e : run.events)
    if (e.kind == Event::Assigned) by_key[e.key].push_back(e);
  return by_key;
}

}  // namespace

TEST_F(CoordinatorGangs, GangsOfTwoOnThreeRanksMixedWithSingleRankTasks) {
  load(kTeacherGangs);
  ASSERT_EQ(graph_.tasks.size(), 11u);
  const GridRun run = run_cluster(3, [](const grid::Task& t, int) {
    if (t.kind == "teacher") std::this_thread::sleep_for(std::chrono::milliseconds(40));
    return sched_test::done_record(t);
  });
  EXPECT_EQ(run.coordinator_code, kExitOk);
  EXPECT_EQ(run.worker_codes, (std::vector<int>{kExitOk, kExitOk, kExitOk}));
  const auto by_key = assignments_by_key(run);
  EXPECT_EQ(by_key.size(), graph_.tasks.size());
  for (const auto& t : graph_.tasks) {
    const auto& got = by_key.at(t.key);
    if (t.kind != "teacher") {
      ASSERT_EQ(got.size(), 1u) << t.label();  // dispatched once
      EXPECT_TRUE(got[0].gang.empty()) << t.label();
      continue;
    }
    // Whole: both members were sent the task once, with the same two distinct ranks.
    ASSERT_EQ(got.size(), 2u) << t.label();
    const auto& gang = got[0].gang;
    ASSERT_EQ(gang.size(), 2u) << t.label();
    EXPECT_NE(gang[0], gang[1]);
    EXPECT_EQ(got[1].gang, gang);
    EXPECT_EQ((std::set<int>{got[0].rank, got[1].rank}), (std::set<int>(gang.begin(), gang.end())));
  }
  // Disjoint: between its Assigned and Answered events a rank works on one task only, and a
  // task that needs a teacher starts after the whole gang answered.
  // (The root's answer is the task's: a dependent may start while another member still reports.)
  std::map<int, std::string> busy;
  std::set<std::pair<std::string, int>> answered;
  for (const auto& e : run.events) {
    if (e.kind == Event::Assigned) {
      EXPECT_EQ(busy.count(e.rank), 0u)
          << "rank " << e.rank << " given " << e.key << " while on " << busy[e.rank];
      busy[e.rank] = e.key;
      for (const auto& dep : graph_.at(e.key).deps)
        EXPECT_TRUE(answered.count({dep, by_key.at(dep)[0].gang.at(0)})) << e.key;
    } else {
      busy.erase(e.rank);
      answered.insert({e.key, e.rank});
    }
  }
  const auto records = file_records();  // once each, DONE, the root's rank
  EXPECT_EQ(keys_of(records), all_keys());
  for (const auto& [key, r] : records) {
    EXPECT_EQ(r.status, Status::Done) << key;
    EXPECT_EQ(r.attempts, 1) << key;
    if (graph_.at(key).kind == "teacher") {
      EXPECT_EQ(r.rank, by_key.at(key)[0].gang[0]) << key;
    }
  }
}

TEST_F(CoordinatorGangs, WaitingGangReservesIdleRanksSoCheaperTasksNeverStarveIt) {
  load(kWholeWorldGangs);
  const auto priority = graph_.critical_paths();
  double lowest_gang = 1e300, highest_single = 0;
  for (const auto& t : graph_.tasks) {
    if (t.model == "cnn6") lowest_gang = std::min(lowest_gang, priority.at(t.key));
    if (t.model == "cnn2") highest_single = std::max(highest_single, priority.at(t.key));
  }
  ASSERT_GT(lowest_gang, highest_single) << "the test needs every gang ahead of every cnn2 task";
  const GridRun run = run_cluster(3, all_done());
  EXPECT_EQ(run.coordinator_code, kExitOk);
  // Greedy dispatch would hand cnn2 tasks to the first ranks that ask while the gang waits for a
  // third, and keep handing them out as ranks free up, so the three would rarely be idle together.
  // Events are logged by the fake workers' threads as they receive their messages, so the members
  // of one gang may log after a task another rank started later: a gang counts as started at its
  // first member's event (the coordinator sends every member's message at once, and a rank it
  // frees logs its gang assignment before its next one).
  const auto assigned = run.assigned();
  size_t last_gang = 0, first_single = assigned.size();
  std::set<std::string> gangs_seen;
  for (size_t i = 0; i < assigned.size(); ++i) {
    const auto& t = graph_.at(assigned[i]);
    if (t.model == "cnn6" && gangs_seen.insert(t.key).second) last_gang = i;
    if (t.model == "cnn2") first_single = std::min(first_single, i);
  }
  EXPECT_LT(last_gang, first_single) << "a cnn2 task started before a waiting cnn6 gang";
  for (const auto& [key, events] : assignments_by_key(run))
    EXPECT_EQ(events.size(), static_cast<size_t>(graph_.at(key).gang_size)) << key;
  EXPECT_EQ(keys_of(file_records()), all_keys());
}

TEST_F(CoordinatorGangs, OnOneRankEveryTaskRunsAlone) {
  load(kTeacherGangs);
  // gang_size 2 on a 1-rank world (kdbench without mpirun): one rank, no gang message.
  const GridRun single = run_single(all_done());
  EXPECT_EQ(single.coordinator_code, kExitOk);
  for (const auto& e : single.events) EXPECT_TRUE(e.gang.empty()) << e.key;
  EXPECT_EQ(single.assigned().size(), graph_.tasks.size());
}

TEST_F(CoordinatorGangs, GangSizeBeyondTheWorldIsClampedToIt) {
  load(R"([grid]
name     = big
dataset  = fashion-mnist
data_dir = /not-read
teachers = cnn4
students = cnn2
methods  = kd
seeds    = 1
[train]
epochs = 2
[teacher]
gang_size = 8
)");
  const GridRun run = run_cluster(2, all_done());
  EXPECT_EQ(run.coordinator_code, kExitOk);
  const auto by_key = assignments_by_key(run);
  const auto& teacher_events = by_key.at(teacher().key);
  ASSERT_EQ(teacher_events.size(), 2u);
  EXPECT_EQ(teacher_events[0].gang.size(), 2u);
  EXPECT_EQ(by_key.at(find("student", "kd", 1).key).size(), 1u);
}

TEST_F(CoordinatorGangs, InterruptedGangGoesBackToPendingOnceAndTheRerunFinishesIt) {
  load(kTeacherGangs);
  const GridRun first = run_cluster(2, [](const grid::Task& t, int) {
    return t.kind == "teacher" ? sched_test::interrupted_record(t) : sched_test::done_record(t);
  });
  EXPECT_EQ(first.coordinator_code, kExitInterrupted);
  EXPECT_EQ(first.worker_codes, (std::vector<int>{kExitInterrupted, kExitInterrupted}));
  auto records = file_records();
  ASSERT_EQ(records.size(), 1u);  // the first teacher only: nothing new after the interruption
  const std::string key = records.begin()->first;
  EXPECT_EQ(graph_.at(key).kind, "teacher");
  EXPECT_EQ(records.at(key).status, Status::Interrupted);
  EXPECT_EQ(records.at(key).attempts, 1);
  EXPECT_EQ(assignments_by_key(first).at(key).size(), 2u);  // both members were interrupted

  const GridRun second = run_cluster(2, all_done());
  EXPECT_EQ(second.coordinator_code, kExitOk);
  records = file_records();
  EXPECT_EQ(keys_of(records), all_keys());
  EXPECT_EQ(records.at(key).status, Status::Done);
  EXPECT_EQ(records.at(key).attempts, 2);
}
