// TAKD `assistants = auto`: the rule on hand-computed accuracies, and the coordinator applying it
// to a hand-built results file (which alternatives stay, which are dropped, when it waits).
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <map>

#include "kdbench/comm/single_process.h"
#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/results/artifacts.h"
#include "kdbench/results/results_store.h"
#include "kdbench/sched/assistant_choice.h"
#include "kdbench/sched/coordinator.h"
#include "record_fixtures.h"
#include "takd_auto_grid.h"

using namespace kdbench;

namespace {

// Curves with these validation accuracies (other per-epoch series zero, as long as val_acc).
results::Curves val_curves(const std::vector<double>& val_acc) {
  results::Curves c;
  for (size_t i = 0; i < val_acc.size(); ++i) c.epoch.push_back(static_cast<int>(i) + 1);
  c.val_acc = val_acc;
  for (auto* v : {&c.train_loss, &c.train_acc, &c.test_acc, &c.lr, &c.seconds})
    v->assign(val_acc.size(), 0);
  return c;
}

}  // namespace

TEST(AssistantChoice, ClosestToTheMeanOfTeacherAndStudent) {
  // Target (0.92 + 0.80) / 2 = 0.86; distances: cnn8 |0.90 - 0.86| = 0.04, cnn6 0.02, cnn4 0.03.
  const auto d =
      sched::choose_assistant(0.92, 0.80, {{"cnn8", 0.90}, {"cnn6", 0.84}, {"cnn4", 0.83}});
  EXPECT_EQ(d.chosen, "cnn6");
  EXPECT_DOUBLE_EQ(d.target, 0.86);
  EXPECT_EQ(d.to_json().at("chosen"), "cnn6");
  EXPECT_DOUBLE_EQ(d.to_json().at("candidates_val_acc").at("cnn4").get<double>(), 0.83);
  EXPECT_NE(
      d.summary().find("assistant cnn6 (target 86.00% = mean of teacher 92.00% and student 80.00%"),
      std::string::npos)
      << d.summary();
  // Above the target counts like below: target 0.8, a is 0.05 above, b 0.04 below.
  EXPECT_EQ(sched::choose_assistant(0.9, 0.7, {{"a", 0.85}, {"b", 0.76}}).chosen, "b");
  // An exact tie (binary fractions: target 0.5, both 0.25 away) keeps the larger, listed first.
  EXPECT_EQ(sched::choose_assistant(0.75, 0.25, {{"big", 0.75}, {"small", 0.25}}).chosen, "big");
  EXPECT_THROW(sched::choose_assistant(0.9, 0.7, {}), Error);
}

TEST(AssistantChoice, TeacherAccuracyIsThatOfTheDistilledCheckpoint) {
  results::RunRecord t;
  t.key = "teacher";
  t.curves = val_curves({0.5, 0.7, 0.6});
  EXPECT_DOUBLE_EQ(sched::distilled_teacher_accuracy(t, 2), 0.7);
  EXPECT_DOUBLE_EQ(sched::distilled_teacher_accuracy(t, -1),
                   0.6);  // final weights, not the best epoch
  EXPECT_THROW(sched::distilled_teacher_accuracy(t, 4), Error);
}

// A text task scored by another metric (here STS-B's Pearson; its accuracies are NaN) compares
// the metric's validation values; image runs keep the accuracy names in the recorded decision.
TEST(AssistantChoice, TextTasksCompareTheirMetric) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::map<std::string, results::RunRecord> runs;
  auto run = [&](const std::string& key, double best_val, std::vector<double> val_curve) {
    results::RunRecord& r = runs[key];
    r.key = key;
    r.metric = "pearson";
    r.best_val_acc = nan;
    r.best_val_metric = best_val;
    r.curves = val_curves(std::vector<double>(val_curve.size(), nan));
    r.curves.val_metric = val_curve;
    r.curves.test_metric = val_curve;
  };
  run("teacher", 0.9, {0.7, 0.9, 0.86});  // final weights: 0.86
  run("student", 0.5, {0.5});
  run("mid", 0.7, {0.7});
  run("big", 0.8, {0.8});
  grid::AssistantChoice choice;
  choice.teacher_key = "teacher";
  choice.student_baseline_key = "student";
  choice.candidates = {{"bert-L4-H256", "big"}, {"bert-L2-H128", "mid"}};
  const auto d = sched::decide(choice, [&](const std::string& key) { return runs.at(key); });
  // Target (0.86 + 0.5) / 2 = 0.68: mid (0.70) is closer than big (0.80).
  EXPECT_EQ(d.chosen, "bert-L2-H128");
  EXPECT_DOUBLE_EQ(d.target, 0.68);
  EXPECT_EQ(d.metric, "pearson");
  EXPECT_DOUBLE_EQ(d.to_json().at("candidates_val_pearson").at("bert-L4-H256").get<double>(), 0.8);
  EXPECT_NE(d.summary().find("pearson target 68.00 = mean of teacher 86.00"), std::string::npos)
      << d.summary();
}

namespace {

const char* const kGrid = kdbench::sched_test::kTakdAutoGrid;

class CoordinatorChoice : public ::testing::Test {
 protected:
  CoordinatorChoice()
      : graph_(grid::expand(grid::parse_grid_text(kGrid, "auto.ini", grid::ParseOptions{false}))),
        store_(results::ResultsStore::open_or_create(dir_.file("results.h5"), {})),
        artifacts_(dir_.file("artifacts"), false) {}

  const grid::Task& find(const std::string& kind, const std::string& model,
                         const std::vector<std::string>& chain = {}) {
    for (const auto& t : graph_.tasks)
      if (t.kind == kind && t.model == model && (chain.empty() || t.chain == chain)) return t;
    throw std::runtime_error("no task " + kind + " " + model);
  }
  const grid::Task& nokd(const std::string& model) {
    for (const auto& t : graph_.tasks)
      if (t.kind == "student" && t.model == model && t.method == "nokd") return t;
    throw std::runtime_error("no nokd run of " + model);
  }
  // A DONE record as the worker would have sent it, with the accuracies the rule reads.
  void done(const grid::Task& t, double best_val, double final_val = 0) {
    results::RunRecord r;
    r.key = t.key;
    r.kind = t.kind;
    r.model = t.model;
    r.method = t.method;
    r.status = results::Status::Done;
    r.best_val_acc = best_val;
    r.curves = val_curves({best_val, final_val});
    store_.put(r);
    if (t.kind == "teacher")  // a DONE teacher without its checkpoints would be trained again
      for (int e : t.keep_checkpoints)
        artifacts_.write_sealed(t.key, results::checkpoint_name(e), touch);
    artifacts_.write_sealed(t.key, results::checkpoint_name(-1), touch);
  }
  static void touch(const std::string& path) { results::write_text_atomic(path, "weights", false); }
  std::set<std::string> dropped() {
    comm::SingleProcessCommunicator comm;
    return sched::Coordinator(graph_, store_, artifacts_, comm).dropped();
  }
  // Teacher final val 0.92 and student cnn2 0.80: target 0.86.
  void teacher_and_student_done() {
    done(find("teacher", "cnn10"), 0.99, 0.92);
    done(nokd("cnn2"), 0.80);
  }

  fixtures::TempDir dir_;
  grid::TaskGraph graph_;
  results::ResultsStore store_;
  results::Artifacts artifacts_;
};

}  // namespace

TEST_F(CoordinatorChoice, KeepsTheChosenAlternativeAndDropsTheOthers) {
  ASSERT_EQ(graph_.choices.size(), 1u);
  teacher_and_student_done();
  done(nokd("cnn4"), 0.85);  // |0.85 - 0.86| = 0.01: chosen
  done(nokd("cnn6"), 0.88);  // 0.02
  comm::SingleProcessCommunicator comm;
  sched::Coordinator c(graph_, store_, artifacts_, comm);
  ASSERT_EQ(c.decisions().size(), 1u);
  EXPECT_EQ(c.decisions().begin()->second.chosen, "cnn4");
  // Dropped: only the cnn2 student taught by cnn6; the assistant cnn6 <- cnn10 stays (student
  // cnn4's fixed chain needs it).
  const auto& via6 = find("student", "cnn2", {"cnn10", "cnn6", "cnn2"});
  const auto& via4 = find("student", "cnn2", {"cnn10", "cnn4", "cnn2"});
  EXPECT_EQ(c.dropped(), (std::set<std::string>{via6.key}));
  EXPECT_TRUE(c.pending().count(via4.key));
  EXPECT_TRUE(c.pending().count(find("assistant", "cnn4", {"cnn10", "cnn4"}).key));
  EXPECT_TRUE(c.pending().count(find("assistant", "cnn6", {"cnn10", "cnn6"}).key));
}

TEST_F(CoordinatorChoice, OtherAccuraciesOtherChoice) {
  teacher_and_student_done();
  done(nokd("cnn4"), 0.83);  // 0.03
  done(nokd("cnn6"), 0.88);  // 0.02: chosen
  EXPECT_EQ(dropped(),
            (std::set<std::string>{find("assistant", "cnn4", {"cnn10", "cnn4"}).key,
                                   find("student", "cnn2", {"cnn10", "cnn4", "cnn2"}).key}));
}

TEST_F(CoordinatorChoice, WaitsForEveryBaseline) {
  teacher_and_student_done();
  done(nokd("cnn4"), 0.85);  // cnn6's baseline is missing: no decision yet
  comm::SingleProcessCommunicator comm;
  sched::Coordinator c(graph_, store_, artifacts_, comm);
  EXPECT_TRUE(c.decisions().empty());
  EXPECT_TRUE(c.dropped().empty());
  // No alternative can start before the decision: each depends on every baseline.
  for (const auto& t : graph_.tasks)
    if (!t.alternative_of.empty()) {
      EXPECT_NE(std::find(t.deps.begin(), t.deps.end(), nokd("cnn6").key), t.deps.end())
          << t.label();
    }
}
