#include "reports/capacity_gap.h"

#include <algorithm>
#include <set>

namespace kdbench::reports {
namespace {

using results::RunRecord;
using results::Status;

bool is_done(const RunRecord& r) { return r.status == Status::Done; }

// Students learn from the final teacher here; intermediate checkpoints are another table.
bool counts_as_student(const RunRecord& r) {
  return r.kind == "student" && r.teacher_checkpoint < 0;
}

int64_t params_of(const std::vector<RunRecord>& runs, const std::string& kind,
                  const std::string& model) {
  for (const auto& r : runs) {
    if (r.kind == kind && r.model == model && r.params_count > 0) return r.params_count;
  }
  return 0;
}

Stats teacher_accuracy(const std::vector<RunRecord>& runs, const std::string& teacher,
                       Metric metric) {
  std::vector<double> values;
  for (const auto& r : runs) {
    if (r.kind == "teacher" && r.model == teacher && is_done(r)) {
      values.push_back(metric_percent(r, metric));
    }
  }
  return summarize(values);
}

}  // namespace

CapacityGapTable capacity_gap(const StudyResults& study, Metric metric) {
  const StudyOrder order = study_order(study);
  CapacityGapTable table;
  table.metric = metric;
  table.methods = order.methods;
  for (const auto& r : study.runs) {
    if (table.dataset.empty()) table.dataset = r.dataset;
  }

  std::set<int64_t> seeds;
  // The values of one cell: DONE student runs of (student, method) against `teacher`, where a
  // nokd run has no teacher and so belongs to every teacher row.
  auto cell = [&](const std::string& student, const std::string& teacher,
                  const std::string& method) {
    std::vector<double> values;
    for (const auto& r : study.runs) {
      if (!counts_as_student(r) || !is_done(r) || r.model != student || r.method != method) {
        continue;
      }
      if (method != "nokd" && root_teacher(r) != teacher) continue;
      values.push_back(metric_percent(r, metric));
      seeds.insert(r.seed);
    }
    return summarize(values);
  };

  for (const auto& student : order.students) {
    CapacityGapBlock block;
    block.student = student;
    block.student_params = params_of(study.runs, "student", student);
    for (const auto& teacher : order.teachers) {
      CapacityGapRow row;
      row.teacher = teacher;
      row.teacher_params = params_of(study.runs, "teacher", teacher);
      row.teacher_acc = teacher_accuracy(study.runs, teacher, metric);
      for (const auto& method : order.methods) row.cells.push_back(cell(student, teacher, method));
      block.rows.push_back(std::move(row));
    }
    table.blocks.push_back(std::move(block));
  }
  table.seeds.assign(seeds.begin(), seeds.end());
  return table;
}

}  // namespace kdbench::reports
