#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "kdbench/core/errors.h"
#include "kdbench/reports/aggregate.h"
#include "kdbench/reports/capacity_gap.h"
#include "kdbench/reports/table_views.h"
#include "record_fixtures.h"
#include "study_fixture.h"

using namespace kdbench;
using namespace kdbench::reports;

TEST(Aggregate, MeanAndSampleStd) {
  // By hand: mean 88.1666..., squared deviations 49/36 + 1/36 + 64/36 = 19/6; / (n-1) = 19/12.
  const Stats s = summarize({87.0, 88.0, 89.5});
  EXPECT_EQ(s.n, 3);
  EXPECT_NEAR(s.mean, 529.0 / 6.0, 1e-12);
  EXPECT_NEAR(s.std, std::sqrt(19.0 / 12.0), 1e-12);
  EXPECT_NEAR(s.std, 1.2583057392, 1e-9);
  const Stats pair = summarize({85.0, 86.0});
  EXPECT_NEAR(pair.std, 1.0 / std::sqrt(2.0), 1e-12);  // not the population std 0.5
  const Stats one = summarize({91.5});
  EXPECT_EQ(one.n, 1);
  EXPECT_EQ(one.mean, 91.5);
  EXPECT_EQ(one.std, 0.0);
  const Stats none = summarize({});
  EXPECT_EQ(none.n, 0);
}

TEST(Aggregate, MetricsAndTheirNames) {
  results::RunRecord r;
  r.test_acc_at_best_val = 0.8;
  r.best_val_acc = 0.81;
  r.final_test_acc = 0.79;
  r.best_test_acc = 0.82;
  EXPECT_DOUBLE_EQ(metric_percent(r, parse_metric("test_at_best_val")), 80.0);
  EXPECT_DOUBLE_EQ(metric_percent(r, parse_metric("best_val")), 81.0);
  EXPECT_DOUBLE_EQ(metric_percent(r, parse_metric("final_test")), 79.0);
  EXPECT_DOUBLE_EQ(metric_percent(r, parse_metric("best_test")), 82.0);
  try {
    parse_metric("top5");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "report metric 'top5' is unknown (allowed: test_at_best_val, "
                 "best_val, final_test, best_test)");
  }
}

TEST(Aggregate, GridListsAndOrdering) {
  const std::string grid = fixtures::kGridIni;
  EXPECT_EQ(grid_list(grid, "teachers"), (std::vector<std::string>{"resnet8", "resnet20"}));
  EXPECT_EQ(grid_list(grid, "students"), (std::vector<std::string>{"cnn2", "cnn4"}));
  // Comments stripped; the [method.kd] section's "methods" is not the grid's.
  EXPECT_EQ(grid_list(grid, "methods"), (std::vector<std::string>{"kd", "takd", "nokd"}));
  EXPECT_TRUE(grid_list(grid, "assistants").empty());
  EXPECT_TRUE(grid_list("", "methods").empty());
  EXPECT_EQ(order_like({"x", "kd", "y", "nokd"}, {"nokd", "kd"}),
            (std::vector<std::string>{"nokd", "kd", "x", "y"}));
}

TEST(Aggregate, StudyOrderFollowsGridWithNokdFirst) {
  StudyResults study = load_results(fixtures::shared_study());
  ASSERT_EQ(study.runs.size(), 15u);
  StudyOrder order = study_order(study);
  EXPECT_EQ(order.teachers, (std::vector<std::string>{"resnet8", "resnet20"}));
  EXPECT_EQ(order.students, (std::vector<std::string>{"cnn2", "cnn4"}));
  EXPECT_EQ(order.methods, (std::vector<std::string>{"nokd", "kd", "takd"}));
  // Without the grid text: first appearance among the runs, nokd still first.
  study.provenance.erase("grid_ini");
  order = study_order(study);
  EXPECT_EQ(order.teachers, (std::vector<std::string>{"resnet20", "resnet8"}));
  EXPECT_EQ(order.methods, (std::vector<std::string>{"nokd", "kd", "takd"}));
}

TEST(Aggregate, CapacityGapCellsCountOnlyDoneFinalTeacherStudents) {
  const CapacityGapTable t =
      capacity_gap(load_results(fixtures::shared_study()), Metric::TestAtBestVal);
  ASSERT_EQ(t.blocks.size(), 2u);
  EXPECT_EQ(t.dataset, "fashion-mnist");
  EXPECT_EQ(t.seeds, (std::vector<int64_t>{1, 2}));  // seed 3 is a checkpoint-search run
  const CapacityGapBlock& cnn2 = t.blocks[0];
  EXPECT_EQ(cnn2.student_params, 10394);
  ASSERT_EQ(cnn2.rows.size(), 2u);
  const CapacityGapRow& r8 = cnn2.rows[0];
  EXPECT_EQ(r8.teacher, "resnet8");
  EXPECT_EQ(r8.teacher_params, 77754);
  EXPECT_EQ(r8.teacher_acc.n, 2);  // the assistant resnet8 run is no teacher run
  EXPECT_NEAR(r8.teacher_acc.mean, 90.23, 1e-9);
  EXPECT_NEAR(r8.teacher_acc.std, 0.22 / std::sqrt(2.0), 1e-9);
  EXPECT_NEAR(r8.cells[1].stats.mean, 86.30, 1e-9);  // kd from resnet8, seeds 1-2 (not epoch 5)
  EXPECT_EQ(r8.cells[1].stats.n, 2);
  EXPECT_EQ(r8.cells[2].stats.n, 0);  // takd's root teacher is resnet20
  EXPECT_EQ(cell_state(r8.cells[2].runs), CellState::Pending);
  const CapacityGapRow& r20 = cnn2.rows[1];
  EXPECT_EQ(r20.teacher_acc.n, 1);  // seed 2 FAILED
  EXPECT_EQ(r20.teacher_runs.failed, 1);
  EXPECT_EQ(r20.cells[1].stats.n, 1);  // seed 2 RUNNING
  EXPECT_EQ(r20.cells[1].runs.unfinished, 1);
  EXPECT_EQ(r20.cells[2].stats.n, 0);  // FAILED + RUNNING: still pending, not failed
  EXPECT_EQ(cell_state(r20.cells[2].runs), CellState::Pending);
  // nokd has no teacher: the same cell in every row.
  EXPECT_EQ(r8.cells[0].stats.n, 2);
  EXPECT_EQ(r20.cells[0].stats.mean, r8.cells[0].stats.mean);
  EXPECT_EQ(r20.cells[0].stats.n, r8.cells[0].stats.n);
  // Best of the row: kd over nokd (85.50) with both teachers (86.30 and 85.80); no takd value.
  EXPECT_TRUE(r8.cells[1].best);
  EXPECT_FALSE(r8.cells[0].best);
  EXPECT_TRUE(r20.cells[1].best);
  EXPECT_FALSE(r20.cells[0].best);
  EXPECT_FALSE(r20.cells[2].best);
  // kd vs nokd from resnet8: seeds 1, 2 on both sides -> paired; differences 1.1, 0.5.
  EXPECT_EQ(r8.cells[1].vs_nokd.kind, TestKind::PairedT);
  EXPECT_NEAR(r8.cells[1].vs_nokd.t, 0.8 / (std::sqrt(0.18) / std::sqrt(2.0)), 1e-9);
  // From resnet20 only one kd seed: no test.
  EXPECT_EQ(r20.cells[1].vs_nokd.kind, TestKind::None);
  // cnn4 has only nokd: one cell with data is no contest.
  EXPECT_FALSE(t.blocks[1].rows[0].cells[0].best);
}

TEST(Aggregate, CellStates) {
  CellRuns runs;
  EXPECT_EQ(cell_state(runs), CellState::Pending);  // nothing recorded yet
  results::RunRecord r;
  r.status = results::Status::Failed;
  runs.add(r, Metric::TestAtBestVal);
  EXPECT_EQ(cell_state(runs), CellState::Failed);
  r.status = results::Status::Interrupted;  // resumes: the cell is not lost
  runs.add(r, Metric::TestAtBestVal);
  EXPECT_EQ(cell_state(runs), CellState::Pending);
  r.status = results::Status::Done;
  r.seed = 4;
  r.test_acc_at_best_val = 0.5;
  runs.add(r, Metric::TestAtBestVal);
  EXPECT_EQ(cell_state(runs), CellState::HasData);
  ASSERT_EQ(runs.values.size(), 1u);
  EXPECT_EQ(runs.values[0].first, 4);
  EXPECT_EQ(runs.values[0].second, 50.0);
}

TEST(Aggregate, SelectionReordersAndRejectsUnknownNames) {
  const StudyResults study = load_results(fixtures::shared_study());
  Selection sel;
  sel.methods = {"kd", "nokd"};
  sel.teachers = {"resnet20"};
  const StudyOrder order = study_order(study, sel);
  EXPECT_EQ(order.methods, (std::vector<std::string>{"kd", "nokd"}));
  EXPECT_EQ(order.teachers, (std::vector<std::string>{"resnet20"}));
  EXPECT_EQ(order.students, (std::vector<std::string>{"cnn2", "cnn4"}));
  TableOptions options;
  options.selection = sel;
  const CapacityGapTable t = capacity_gap(study, options);
  EXPECT_EQ(t.methods, (std::vector<std::string>{"kd", "nokd"}));
  ASSERT_EQ(t.blocks[0].rows.size(), 1u);
  EXPECT_EQ(t.blocks[0].rows[0].teacher, "resnet20");
  sel.methods = {"kd", "dkd"};
  try {
    study_order(study, sel);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "report --methods: 'dkd' is not in this study (known: nokd kd takd)");
  }
}

TEST(Aggregate, GridNamesWithoutRunsStillShapeTheTable) {
  // A grid that has just started: only one teacher run recorded, but the grid's names give the
  // table its full shape (pending cells).
  fixtures::TempDir tmp;
  results::Provenance prov;
  prov.grid_ini = "[grid]\nteachers = resnet8 resnet20\nstudents = cnn2\nmethods = kd dkd\n";
  {
    auto store = results::ResultsStore::open_or_create(tmp.file("r.h5"), prov);
    store.put(
        fixtures::make_run({"teacher", "resnet8", "", "", 1, results::Status::Running, 0}, 0));
  }
  const StudyOrder order = study_order(load_results(tmp.file("r.h5")));
  EXPECT_EQ(order.teachers, (std::vector<std::string>{"resnet8", "resnet20"}));
  EXPECT_EQ(order.students, (std::vector<std::string>{"cnn2"}));
  EXPECT_EQ(order.methods, (std::vector<std::string>{"kd", "dkd"}));  // no nokd in this grid
}

TEST(Aggregate, PooledTakdPathsAreFlagged) {
  // Two grids with different assistants wrote one file: the takd cell of (cnn2, resnet20) holds
  // runs of two chains, which the caption must say.
  fixtures::TempDir tmp;
  {
    auto store = results::ResultsStore::open_or_create(tmp.file("r.h5"), {});
    using results::Status;
    store.put(fixtures::make_run({"student",
                                  "cnn2",
                                  "takd",
                                  "resnet8",
                                  1,
                                  Status::Done,
                                  0.8,
                                  {"resnet20", "resnet8", "cnn2"}},
                                 0));
    store.put(fixtures::make_run(
        {"student", "cnn2", "takd", "cnn4", 1, Status::Done, 0.8, {"resnet20", "cnn4", "cnn2"}},
        1));
  }
  const StudyResults study = load_results(tmp.file("r.h5"));
  const CapacityGapTable pooled = capacity_gap(study, Metric::TestAtBestVal);
  EXPECT_TRUE(pooled.pooled_chains);
  EXPECT_NE(capacity_gap_view(pooled).caption.find("pool runs of different TAKD paths"),
            std::string::npos);
  TableOptions only_first;
  only_first.selection.teachers = {"resnet20"};
  EXPECT_EQ(capacity_gap(study, only_first).blocks[0].rows[0].cells[0].stats.n, 2);
}

TEST(Aggregate, TakdRunsTakeTheCheckpointOfTheirChainsRoot) {
  // A TAKD student learns from an assistant's final weights (teacher_checkpoint -1 in the file);
  // the assistant learnt from epoch 2 or from the final teacher. Only the chain from the final
  // teacher belongs in the capacity-gap table.
  fixtures::TempDir tmp;
  {
    auto store = results::ResultsStore::open_or_create(tmp.file("r.h5"), {});
    using results::Status;
    auto run = [](const fixtures::RunSpec& spec, int index, const std::string& upstream) {
      auto r = fixtures::make_run(spec, index);
      r.teacher_key = upstream;
      return r;
    };
    store.put(run({"teacher", "resnet20", "", "", 1, Status::Done, 0.9}, 0, ""));
    store.put(run({"assistant",
                   "resnet14",
                   "takd",
                   "resnet20",
                   1,
                   Status::Done,
                   0.85,
                   {"resnet20", "resnet14"},
                   2},
                  1, "run0"));
    store.put(run({"assistant",
                   "resnet14",
                   "takd",
                   "resnet20",
                   1,
                   Status::Done,
                   0.86,
                   {"resnet20", "resnet14"}},
                  2, "run0"));
    store.put(run({"student",
                   "resnet8",
                   "takd",
                   "resnet14",
                   1,
                   Status::Done,
                   0.70,
                   {"resnet20", "resnet14", "resnet8"}},
                  3, "run1"));
    store.put(run({"student",
                   "resnet8",
                   "takd",
                   "resnet14",
                   1,
                   Status::Done,
                   0.80,
                   {"resnet20", "resnet14", "resnet8"}},
                  4, "run2"));
  }
  const StudyResults study = load_results(tmp.file("r.h5"));
  std::map<std::string, int> checkpoint;
  for (const auto& r : study.runs) checkpoint[r.key] = r.teacher_checkpoint;
  EXPECT_EQ(checkpoint.at("run1"), 2);
  EXPECT_EQ(checkpoint.at("run3"), 2);   // via the assistant of epoch 2
  EXPECT_EQ(checkpoint.at("run4"), -1);  // via the assistant of the final teacher
  const auto cell = capacity_gap(study, Metric::TestAtBestVal).blocks.at(0).rows.at(0).cells.at(0);
  EXPECT_EQ(cell.stats.n, 1);
  EXPECT_NEAR(cell.stats.mean, 80.0, 1e-9);
}
