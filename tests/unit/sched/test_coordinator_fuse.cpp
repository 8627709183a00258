// Fused students in the coordinator ([grid] fuse = K, docs/design.md §3.6): an idle rank is sent
// the highest-priority ready task with the ready tasks after it that may train fused with it
// (train::fuse_refusal: same model, epochs, batch size, schedule; a one-phase method), at most K,
// in dispatch order; everything else goes alone. Each member is then recorded, retried and counted
// as if it had run alone. Real Coordinator, fake worker on one rank, real results file.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "coordinator_fixture.h"
#include "kdbench/core/errors.h"

using namespace kdbench;
using sched_test::Event;
using sched_test::GridRun;
using Status = results::Status;

namespace {

// Five seeds of two students without a teacher (nokd: fusable, ready at once) and with one
// (annealing: two phases, never fused); the teacher is another model. All students of one model
// and method cost the same, so their priorities tie and dispatch order is key order.
const char* kFuseGrid = R"([grid]
name     = fuse
dataset  = fashion-mnist
data_dir = /not-read
teachers = cnn4
students = cnn6 cnn2
methods  = nokd annealing
seeds    = 1 2 3 4 5
teacher_seeds = 1
fuse     = 4
[train]
epochs = 2
[method.annealing]
tau_max = 1
)";

using CoordinatorFuse = sched_test::CoordinatorFixture;

// The fused groups assigned, each its keys in the order the message named them.
std::vector<std::vector<std::string>> fused_groups(const GridRun& run) {
  std::vector<std::vector<std::string>> groups;
  for (const auto& e : run.events)
    if (e.kind == Event::Assigned && !e.fused.empty() && e.key == e.fused.front())
      groups.push_back(e.fused);
  return groups;
}

// Keys of the tasks of `model` and `method`, ascending.
std::vector<std::string> student_keys(const grid::TaskGraph& graph, const std::string& model,
                                      const std::string& method) {
  std::set<std::string> keys;
  for (const auto& t : graph.tasks)
    if (t.kind != "teacher" && t.model == model && t.method == method) keys.insert(t.key);
  return {keys.begin(), keys.end()};
}

}  // namespace

TEST_F(CoordinatorFuse, GroupsCompatibleReadyTasksUpToKInDispatchOrder) {
  load(kFuseGrid);
  ASSERT_EQ(scheduling_.fuse, 4);
  ASSERT_EQ(graph_.tasks.size(), 21u);
  const GridRun run = run_single(sched_test::all_done());
  EXPECT_EQ(run.coordinator_code, kExitOk);
  // Every task once, every member of a group once.
  std::map<std::string, int> assigned;
  for (const auto& key : run.assigned()) ++assigned[key];
  EXPECT_EQ(assigned.size(), graph_.tasks.size());
  for (const auto& [key, n] : assigned) EXPECT_EQ(n, 1) << key;
  EXPECT_EQ(keys_of(file_records()), all_keys());

  // Per model, the five nokd students: the four first in dispatch order (ties: key order) as one
  // group of K = 4, the fifth alone (no other of its model is left to join it).
  std::set<std::vector<std::string>> expected;
  for (const std::string model : {"cnn6", "cnn2"}) {
    const auto keys = student_keys(graph_, model, "nokd");
    ASSERT_EQ(keys.size(), 5u);
    expected.insert(std::vector<std::string>(keys.begin(), keys.begin() + 4));
  }
  const auto groups = fused_groups(run);
  EXPECT_EQ(std::set<std::vector<std::string>>(groups.begin(), groups.end()), expected);
  EXPECT_EQ(groups.size(), 2u);
  // Annealing (two phases) and the teacher (the only cnn4) always went alone.
  std::set<std::string> fused_keys;
  for (const auto& g : groups) fused_keys.insert(g.begin(), g.end());
  for (const auto& t : graph_.tasks)
    if (t.method != "nokd" || t.kind == "teacher")
      EXPECT_EQ(fused_keys.count(t.key), 0u) << t.label();
}

TEST_F(CoordinatorFuse, AMemberThatFailsIsRetriedAloneTheOthersAreDone) {
  load(kFuseGrid);
  const auto cnn2 = student_keys(graph_, "cnn2", "nokd");
  const std::string unlucky = cnn2[1];
  std::map<std::string, int> answers;
  const GridRun run = run_single([&](const grid::Task& t, int) {
    if (t.key == unlucky && answers[t.key]++ == 0)
      return sched_test::failed_record(t, "out of memory");
    return sched_test::done_record(t);
  });
  EXPECT_EQ(run.coordinator_code, kExitOk);
  EXPECT_EQ(sched_test::count(run.assigned(), unlucky), 2u);  // retries = 1
  for (const auto& key : cnn2)
    if (key != unlucky) EXPECT_EQ(sched_test::count(run.assigned(), key), 1u) << key;
  const auto records = file_records();
  EXPECT_EQ(keys_of(records), all_keys());
  for (const auto& [key, rec] : records) EXPECT_EQ(rec.status, Status::Done) << key;
  EXPECT_EQ(records.at(unlucky).attempts, 2);
}

TEST_F(CoordinatorFuse, OffByDefaultEveryTaskAlone) {
  std::string text = kFuseGrid;
  text.replace(text.find("fuse     = 4\n"), 13, "");
  load(text.c_str());
  EXPECT_EQ(scheduling_.fuse, 1);
  const GridRun run = run_single(sched_test::all_done());
  EXPECT_EQ(run.coordinator_code, kExitOk);
  EXPECT_TRUE(fused_groups(run).empty());
  EXPECT_EQ(run.assigned().size(), graph_.tasks.size());
}
