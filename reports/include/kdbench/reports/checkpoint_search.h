#pragma once
// The checkpoint-search table (issue 4): does a student learn better from an earlier, less
// accurate checkpoint of its teacher? Per teacher, one row per kept teacher checkpoint (the
// teacher epoch and the teacher's own validation/test accuracy there) plus the final teacher,
// one column per (student, method) distilled from checkpoints; the best checkpoint of each column
// is marked.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kdbench/reports/aggregate.h"

namespace kdbench::reports {

struct CheckpointColumn {
  std::string student, method;
};

struct CheckpointRow {
  int checkpoint = -1;  // the runs' teacher_checkpoint; -1 = the final teacher
  int epoch = 0;  // teacher epoch of those weights (final: the teacher's last epoch; 0 unknown)
  Stats teacher_val, teacher_test;  // the teacher's own accuracy (%) there, over teacher seeds
  std::vector<ResultCell> cells;    // one per column; `best` = best row of the column
};

struct CheckpointBlock {
  std::string teacher;
  int64_t teacher_params = 0;
  std::vector<CheckpointColumn> columns;
  std::vector<CheckpointRow> rows;  // ascending checkpoint epoch, the final teacher last
};

struct CheckpointSearchTable {
  Metric metric = Metric::TestAtBestVal;
  std::string task_metric = "accuracy";  // what scores the runs (aggregate.h task_metric)
  std::string dataset;
  std::vector<int64_t> seeds;           // distinct seeds of the student runs counted
  std::vector<CheckpointBlock> blocks;  // teachers with checkpoint-search runs, in study order
  std::map<std::string, Stats> nokd;    // per student: the no-teacher baseline (figures)
};

// Rows come from the runs' teacher checkpoints and the grid's [grid] teacher_checkpoints axis
// (so pending rows show), columns from the (student, method) pairs that have checkpoint runs.
CheckpointSearchTable checkpoint_search(const StudyResults& study, const TableOptions& options);

// The teacher's own score (×100) at a kept checkpoint, from a teacher run's `checkpoints` JSON
// ({"<epoch>": {"val_acc": .., "test_acc": ..}}; "val"/"test" accepted too; a run scored by
// another metric than accuracy: {"val_metric": .., "test_metric": ..}). False when absent.
bool teacher_checkpoint_accuracy(const results::RunRecord& teacher, int epoch, double& val,
                                 double& test);

}  // namespace kdbench::reports
