#include <gtest/gtest.h>

#include <cmath>

#include "reports/aggregate.h"
#include "reports/capacity_gap.h"
#include "suite/core/errors.h"
#include "tests/unit/reports/study_fixture.h"
#include "tests/unit/results/record_fixtures.h"

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
    EXPECT_STREQ(e.what(), "report metric 'top5' is unknown (allowed: test_at_best_val, "
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
  fixtures::TempDir tmp;
  fixtures::write_study(tmp.file("r.h5"));
  StudyResults study = load_results(tmp.file("r.h5"));
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
  fixtures::TempDir tmp;
  fixtures::write_study(tmp.file("r.h5"));
  const CapacityGapTable t = capacity_gap(load_results(tmp.file("r.h5")), Metric::TestAtBestVal);
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
  EXPECT_NEAR(r8.cells[1].mean, 86.30, 1e-9);  // kd from resnet8, seeds 1-2 (not the epoch-5 run)
  EXPECT_EQ(r8.cells[1].n, 2);
  EXPECT_EQ(r8.cells[2].n, 0);  // takd's root teacher is resnet20
  const CapacityGapRow& r20 = cnn2.rows[1];
  EXPECT_EQ(r20.teacher_acc.n, 1);  // seed 2 FAILED
  EXPECT_EQ(r20.cells[1].n, 1);     // seed 2 RUNNING
  EXPECT_EQ(r20.cells[2].n, 0);     // FAILED + RUNNING
  // nokd has no teacher: the same cell in every row.
  EXPECT_EQ(r8.cells[0].n, 2);
  EXPECT_EQ(r20.cells[0].mean, r8.cells[0].mean);
  EXPECT_EQ(r20.cells[0].n, r8.cells[0].n);
}
