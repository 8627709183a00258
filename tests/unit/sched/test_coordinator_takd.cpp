// TAKD `assistants = auto` in the running coordinator: the choice is made as soon as the
// baselines it reads are DONE, only the chosen alternative runs, the others are never assigned
// nor recorded, and a failed teacher fails the whole chain (the real Coordinator against fake
// workers, as in test_coordinator.cpp).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "coordinator_fixture.h"
#include "kdbench/core/errors.h"
#include "takd_auto_grid.h"

using namespace kdbench;
using sched_test::count;
using sched_test::Event;
using sched_test::GridRun;
using Status = results::Status;

namespace {

const char* const kAuto = kdbench::sched_test::kTakdAutoGrid;

class CoordinatorTakdAuto : public sched_test::CoordinatorFixture {
 protected:
  CoordinatorTakdAuto() { load(kAuto); }
  // The accuracies the rule reads: teacher final 0.92, student cnn2 0.80, so the target is 0.86.
  static sched_test::Answer accuracies(double cnn4, double cnn6) {
    return [=](const grid::Task& t, int) {
      if (t.kind == "teacher") return sched_test::done_record(t, {0.5, 0.99, 0.95, 0.92});
      if (t.method != "nokd") return sched_test::done_record(t, {0.6});
      const std::map<std::string, double> acc = {{"cnn2", 0.80}, {"cnn4", cnn4}, {"cnn6", cnn6}};
      return sched_test::done_record(t, {acc.at(t.model)});
    };
  }
  const grid::Task& via(const std::string& assistant) const {
    for (const auto& t : graph_.tasks)
      if (t.kind == "student" && t.chain == std::vector<std::string>{"cnn10", assistant, "cnn2"})
        return t;
    throw std::runtime_error("no student cnn2 via " + assistant);
  }
  const grid::Task& assistant(const std::string& model) const {
    for (const auto& t : graph_.tasks)
      if (t.kind == "assistant" && t.chain == std::vector<std::string>{"cnn10", model}) return t;
    throw std::runtime_error("no assistant " + model);
  }

  // Runs the grid on two workers; checks the chosen alternative ran after every baseline the
  // rule reads and the others never ran nor appear in the file.
  void expect_choice(const sched_test::Answer& answer, const std::string& chosen,
                     const std::set<std::string>& dropped) {
    const GridRun run = run_cluster(2, answer);
    EXPECT_EQ(run.coordinator_code, kExitOk);
    const auto& choice = graph_.choices.begin()->second;
    const auto decision_keys = choice.decision_keys();
    std::set<std::string> done;
    for (const auto& e : run.events) {
      if (e.kind == Event::Answered) {
        done.insert(e.key);
        continue;
      }
      EXPECT_EQ(dropped.count(e.key), 0u)
          << "ran a dropped alternative: " << graph_.at(e.key).label();
      if (graph_.at(e.key).alternative_of.empty()) continue;
      for (const auto& k : decision_keys) EXPECT_TRUE(done.count(k)) << graph_.at(e.key).label();
    }
    const auto records = file_records();
    std::set<std::string> expected = all_keys();
    for (const auto& k : dropped) expected.erase(k);
    EXPECT_EQ(keys_of(records), expected);
    const auto& student = records.at(via(chosen).key);
    EXPECT_EQ(student.status, Status::Done);
    ASSERT_TRUE(student.config.contains("takd_auto")) << student.config.dump();
    EXPECT_EQ(student.config.at("takd_auto").at("chosen"), chosen);
  }
};

}  // namespace

TEST_F(CoordinatorTakdAuto, ChoosesCnn4WhenItIsClosestToTheTarget) {
  ASSERT_EQ(graph_.choices.size(), 1u);
  // |0.85 - 0.86| = 0.01 beats |0.88 - 0.86| = 0.02. The assistant cnn6 stays: student cnn4's
  // fixed chain cnn10 -> cnn6 -> cnn4 needs it.
  expect_choice(accuracies(0.85, 0.88), "cnn4", {via("cnn6").key});
}

TEST_F(CoordinatorTakdAuto, ChoosesCnn6WhenItIsClosestToTheTarget) {
  // |0.83 - 0.86| = 0.03 loses to |0.88 - 0.86| = 0.02.
  expect_choice(accuracies(0.83, 0.88), "cnn6", {via("cnn4").key, assistant("cnn4").key});
}

TEST_F(CoordinatorTakdAuto, FailedTeacherFailsTheWholeChainAndDecidesNothing) {
  const GridRun run = run_single([](const grid::Task& t, int) {
    return t.kind == "teacher" ? sched_test::failed_record(t, "diverged")
                               : sched_test::done_record(t);
  });
  EXPECT_EQ(run.coordinator_code, kExitTasksFailed);
  const auto records = file_records();
  EXPECT_EQ(keys_of(records), all_keys());  // nothing dropped: no choice was made
  for (const auto& [key, r] : records) {
    const auto& t = graph_.at(key);
    const bool needs_teacher = !t.teacher_key.empty();
    EXPECT_EQ(r.status, needs_teacher || t.kind == "teacher" ? Status::Failed : Status::Done)
        << t.label();
    if (needs_teacher) {
      EXPECT_EQ(count(run.assigned(), key), 0u) << t.label();
    }
  }
}
