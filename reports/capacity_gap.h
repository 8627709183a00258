#pragma once
// The capacity-gap table (issue 2): for every student model, one row per teacher model with the
// teacher's size and own accuracy, one column per method, cells aggregated over seeds. Only
// DONE runs count. Student runs distilled from an intermediate teacher checkpoint
// (teacher_checkpoint >= 0, checkpoint search) are left to the checkpoint tables; assistant runs
// (TAKD's intermediate models) are not students here.
#include <cstdint>
#include <string>
#include <vector>

#include "reports/aggregate.h"

namespace kdbench::reports {

struct CapacityGapRow {
  std::string teacher;
  int64_t teacher_params = 0;  // 0 = unknown (no teacher run recorded yet)
  Stats teacher_acc;           // over the teacher's DONE runs (teacher seeds)
  std::vector<Stats> cells;    // one per CapacityGapTable::methods; nokd equal in every row
};

struct CapacityGapBlock {
  std::string student;
  int64_t student_params = 0;  // 0 = unknown
  std::vector<CapacityGapRow> rows;  // one per teacher of the study
};

struct CapacityGapTable {
  Metric metric = Metric::TestAtBestVal;
  std::string dataset;              // of the runs ("" if none recorded one)
  std::vector<std::string> methods;  // column order
  std::vector<int64_t> seeds;        // distinct seeds of the student runs counted, ascending
  std::vector<CapacityGapBlock> blocks;
};

CapacityGapTable capacity_gap(const StudyResults& study, Metric metric);

}  // namespace kdbench::reports
