#pragma once
// The capacity-gap table (issues 2 and 4): for every student model, one row per teacher model with
// the teacher's size and own accuracy, one column per method, cells aggregated over seeds, the
// best cell of a row marked, and every method compared with nokd by a t-test over seeds. Only
// DONE runs give numbers. Student runs distilled from an intermediate teacher checkpoint
// (teacher_checkpoint >= 0, checkpoint search) are left to the checkpoint tables; assistant runs
// (TAKD's intermediate models) are not students here.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kdbench/reports/aggregate.h"

namespace kdbench::reports {

// Two-sided significance level of the markers.
constexpr double kSignificanceLevel = 0.05;

// Cells: ResultCell (aggregate.h); `best` = highest mean of its row.
using CapacityGapCell = ResultCell;

struct CapacityGapRow {
  std::string teacher;
  int64_t teacher_params = 0;  // 0 = unknown (no teacher run recorded yet)
  CellRuns teacher_runs;       // the teacher's own runs (teacher seeds)
  Stats teacher_acc;
  std::optional<double> paper_teacher;
  std::vector<CapacityGapCell> cells;  // one per CapacityGapTable::methods; nokd equal in every row
};

struct CapacityGapBlock {
  std::string student;
  int64_t student_params = 0;        // 0 = unknown
  std::vector<CapacityGapRow> rows;  // one per teacher of the study
};

struct CapacityGapTable {
  Metric metric = Metric::TestAtBestVal;
  std::string task_metric = "accuracy";  // what scores the runs (aggregate.h task_metric)
  bool paper = false;                    // the paper column notes were requested
  std::string dataset;                   // of the runs ("" if none recorded one)
  std::vector<std::string> methods;      // column order
  std::vector<int64_t> seeds;            // distinct seeds of the student runs counted, ascending
  std::vector<CapacityGapBlock> blocks;
  // The tests that produced a value in some cell (for the caption).
  bool used_paired = false, used_welch = false;
  // Some cell pools runs of different TAKD chains (grids with different assistants writing one
  // results file); the caption points to the TA-path table, which keeps them apart.
  bool pooled_chains = false;
  // Some published number comes from a paper that does not name its teacher (GLUE, Continuation-KD
  // Tab. 5): it stands beside every teacher row, and the caption says so, naming the sources.
  bool paper_unnamed_teacher = false;
  std::set<std::string> paper_unnamed_sources;
  // Sources of the shown numbers that came from a --paper-numbers file (the caption names them).
  std::set<std::string> user_paper_sources;
};

CapacityGapTable capacity_gap(const StudyResults& study, const TableOptions& options);
inline CapacityGapTable capacity_gap(const StudyResults& study, Metric metric) {
  TableOptions options;
  options.metric = metric;
  return capacity_gap(study, options);
}

// Shared by the other tables: the first recorded parameter count of `model` among runs of
// `kind`, 0 when none.
int64_t params_of(const std::vector<results::RunRecord>& runs, const std::string& kind,
                  const std::string& model);

}  // namespace kdbench::reports
