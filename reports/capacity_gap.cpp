#include "kdbench/reports/capacity_gap.h"

#include <algorithm>
#include <set>

#include "paper_numbers.h"

namespace kdbench::reports {
namespace {

using results::RunRecord;

// Students learn from the final teacher here; intermediate checkpoints are another table.
bool counts_as_student(const RunRecord& r) {
  return r.kind == "student" && r.teacher_checkpoint < 0;
}

// The TA path of a TAKD run ("resnet56 resnet20"), "" for a direct run.
std::string assistants_of(const RunRecord& r) {
  std::string out;
  for (size_t i = 1; i + 1 < r.chain.size(); ++i) out += (out.empty() ? "" : " ") + r.chain[i];
  return out;
}

}  // namespace

int64_t params_of(const std::vector<RunRecord>& runs, const std::string& kind,
                  const std::string& model) {
  for (const auto& r : runs) {
    if (r.kind == kind && r.model == model && r.params_count > 0) return r.params_count;
  }
  return 0;
}

CapacityGapTable capacity_gap(const StudyResults& study, const TableOptions& options) {
  const StudyOrder order = study_order(study, options.selection);
  CapacityGapTable table;
  table.metric = options.metric;
  table.task_metric = task_metric(study);
  table.paper = options.paper;
  table.methods = order.methods;
  table.dataset = study_dataset(study);
  const auto nokd_it = std::find(table.methods.begin(), table.methods.end(), "nokd");
  const bool has_nokd = nokd_it != table.methods.end();
  const size_t nokd_column = static_cast<size_t>(nokd_it - table.methods.begin());

  std::set<int64_t> seeds;
  // The runs of one cell: student runs of (student, method) against `teacher`, where a nokd run
  // has no teacher and so belongs to every teacher row. Also the TA path of its TAKD runs.
  auto cell_runs = [&](const std::string& student, const std::string& teacher,
                       const std::string& method, std::string& assistants) {
    CellRuns runs;
    std::set<std::string> paths;
    for (const auto& r : study.runs) {
      if (!counts_as_student(r) || r.model != student || r.method != method) continue;
      if (method != "nokd" && root_teacher(r) != teacher) continue;
      runs.add(r, options.metric);
      if (r.status == results::Status::Done) seeds.insert(r.seed);
      if (paths.empty()) assistants = assistants_of(r);
      paths.insert(assistants_of(r));
    }
    table.pooled_chains |= paths.size() > 1;
    return runs;
  };

  // The published number of a setup; notes where it came from for the caption.
  auto paper = [&](const std::string& teacher, const std::string& student,
                   const std::string& method, const std::string& assistants) {
    const PaperNumber* n = paper_entry(options.user_paper_numbers, table.dataset, teacher, student,
                                       method, assistants);
    if (n == nullptr) return std::optional<double>();
    if (!n->origin.empty()) table.user_paper_sources.insert(n->source);
    if (n->teacher == kUnnamedTeacher) {
      table.paper_unnamed_teacher = true;
      table.paper_unnamed_sources.insert(n->source);
    }
    return std::optional<double>(n->accuracy);
  };
  for (const auto& student : order.students) {
    CapacityGapBlock block;
    block.student = student;
    block.student_params = params_of(study.runs, "student", student);
    for (const auto& teacher : order.teachers) {
      CapacityGapRow row;
      row.teacher = teacher;
      row.teacher_params = params_of(study.runs, "teacher", teacher);
      for (const auto& r : study.runs) {
        if (r.kind == "teacher" && r.model == teacher) row.teacher_runs.add(r, options.metric);
      }
      row.teacher_acc = row.teacher_runs.stats();
      if (options.paper) row.paper_teacher = paper(teacher, student, "teacher", "");
      for (const auto& method : order.methods) {
        CapacityGapCell cell;
        std::string assistants;
        cell.runs = cell_runs(student, teacher, method, assistants);
        cell.stats = cell.runs.stats();
        if (options.paper) cell.paper = paper(teacher, student, method, assistants);
        row.cells.push_back(std::move(cell));
      }
      if (has_nokd) {
        const auto& baseline = row.cells[nokd_column].runs.values;
        for (size_t m = 0; m < row.cells.size(); ++m) {
          if (m == nokd_column) continue;
          auto& cell = row.cells[m];
          cell.vs_nokd = compare_with_baseline(cell.runs.values, baseline);
          table.used_paired |= cell.vs_nokd.kind == TestKind::PairedT;
          table.used_welch |= cell.vs_nokd.kind == TestKind::WelchT;
        }
      }
      std::vector<ResultCell*> cells;
      for (auto& c : row.cells) cells.push_back(&c);
      mark_best(cells);
      block.rows.push_back(std::move(row));
    }
    table.blocks.push_back(std::move(block));
  }
  table.seeds.assign(seeds.begin(), seeds.end());
  return table;
}

}  // namespace kdbench::reports
