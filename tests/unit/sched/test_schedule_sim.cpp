// The scheduler simulator (kdbench/schedsim/simulate.h, behind kdbench_sched_sim) runs the real
// coordinator in virtual time; these cases check, from its journal of assignments, what any
// schedule must satisfy: every task run once, after its dependencies, gangs whole and at once,
// no rank running two tasks at a time.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "gang_grid.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/schedsim/simulate.h"
#include "record_fixtures.h"
#include "takd_auto_grid.h"

namespace kdbench {
namespace {

grid::TaskGraph graph_of(const char* text) {
  return grid::expand(grid::parse_grid_text(text, "g.ini", grid::ParseOptions{false}));
}

std::set<std::string> ran_keys(const schedsim::SimResult& r) {
  std::set<std::string> ran;
  for (const auto& a : r.assignments) ran.insert(a.key);
  return ran;
}

// The invariants every schedule meets.
void check_schedule(const grid::TaskGraph& graph, const schedsim::SimResult& r, int ranks) {
  EXPECT_EQ(r.exit_code, 0);
  std::map<std::string, std::vector<schedsim::Assignment>> by_key;
  std::map<int, std::vector<schedsim::Assignment>> by_rank;
  for (const auto& a : r.assignments) {
    by_key[a.key].push_back(a);
    by_rank[a.rank].push_back(a);
  }
  for (const auto& t : graph.tasks) {
    const auto status = r.statuses.find(t.key);
    if (!by_key.count(t.key)) {  // only a TAKD auto alternative that was not chosen
      EXPECT_FALSE(t.alternative_of.empty()) << t.label() << " never ran";
      EXPECT_EQ(status, r.statuses.end()) << t.label() << " recorded but never ran";
      continue;
    }
    ASSERT_NE(status, r.statuses.end()) << t.label();
    EXPECT_EQ(status->second, results::Status::Done) << t.label();
    const auto& members = by_key[t.key];
    // Once, on its whole gang, every member starting and ending together.
    const size_t gang = static_cast<size_t>(std::clamp(t.gang_size, 1, ranks));
    ASSERT_EQ(members.size(), gang) << t.label() << " dispatched more or less than once";
    std::set<int> member_ranks;
    for (const auto& m : members) {
      member_ranks.insert(m.rank);
      EXPECT_EQ(m.start, members.front().start) << t.label();
      EXPECT_EQ(m.end, members.front().end) << t.label();
      EXPECT_EQ(m.gang, members.front().gang) << t.label();
    }
    EXPECT_EQ(member_ranks.size(), gang) << t.label();
    if (gang > 1)
      EXPECT_EQ(member_ranks, std::set<int>(members[0].gang.begin(), members[0].gang.end()));
    else
      EXPECT_TRUE(members[0].gang.empty());
    for (const auto& d : t.deps) {
      ASSERT_TRUE(by_key.count(d)) << t.label() << " ran, its dependency " << d << " did not";
      EXPECT_GE(members[0].start, by_key[d][0].end) << t.label() << " started before " << d;
    }
  }
  for (auto& [rank, runs] : by_rank) {
    EXPECT_TRUE(rank >= 0 && rank < ranks);
    std::sort(runs.begin(), runs.end(),
              [](const auto& a, const auto& b) { return a.start < b.start; });
    for (size_t i = 1; i < runs.size(); ++i)
      EXPECT_GE(runs[i].start, runs[i - 1].end)
          << "rank " << rank << " runs " << runs[i].key << " during " << runs[i - 1].key;
  }
  EXPECT_GE(r.makespan, r.lower_bound * (1 - 1e-12));
  // Every rank's "ready", then one message per rank and task; one result per task.
  EXPECT_EQ(r.handle_seconds.size(), r.assignments.size() + static_cast<size_t>(ranks));
  EXPECT_EQ(r.result_handle_seconds.size(), by_key.size());
}

schedsim::SimResult simulate(const grid::TaskGraph& graph, int ranks,
                             sched::Policy policy = sched::Policy::Refined) {
  fixtures::TempDir dir;
  schedsim::SimOptions opts;
  opts.ranks = ranks;
  opts.policy = policy;
  return schedsim::simulate(graph, opts, dir.path().string());
}

class ScheduleSim : public ::testing::TestWithParam<int> {};

TEST_P(ScheduleSim, GangsRunWholeAfterTheirDependencies) {
  const auto graph = graph_of(sched_test::kTeacherGangs);
  const auto r = simulate(graph, GetParam());
  check_schedule(graph, r, GetParam());
  EXPECT_EQ(ran_keys(r).size(), graph.tasks.size());
}

TEST_P(ScheduleSim, TakdAutoRunsOnlyTheChosenAlternatives) {
  const auto graph = graph_of(sched_test::kTakdAutoGrid);
  const auto r = simulate(graph, GetParam());
  check_schedule(graph, r, GetParam());
  EXPECT_LT(ran_keys(r).size(), graph.tasks.size());  // the alternative not chosen never ran
}

INSTANTIATE_TEST_SUITE_P(Ranks, ScheduleSim, ::testing::Values(3, 8));

// FIFO, static and refined order the same tasks differently; every schedule stays valid.
TEST(ScheduleSimPolicies, EveryPolicyMeetsTheInvariants) {
  for (const auto policy : {sched::Policy::Fifo, sched::Policy::Static, sched::Policy::Refined})
    for (const char* text : {sched_test::kTeacherGangs, sched_test::kTakdAutoGrid}) {
      SCOPED_TRACE(sched::name_of(policy));
      const auto graph = graph_of(text);
      check_schedule(graph, simulate(graph, 3, policy), 3);
    }
}

// Independent equal tasks fill every rank: the makespan is the bound to within the noise.
TEST(ScheduleSimBound, IndependentTasksKeepEveryRankBusy) {
  const auto graph = graph_of(R"([grid]
name     = flat
dataset  = fashion-mnist
data_dir = /not-read
students = cnn2
methods  = nokd
seeds    = 1 2 3 4 5 6 7 8 9 10 11 12
[train]
epochs = 1
)");
  const auto r = simulate(graph, 4);
  check_schedule(graph, r, 4);
  EXPECT_GT(r.lower_bound / r.makespan, 0.8);
}

}  // namespace
}  // namespace kdbench
