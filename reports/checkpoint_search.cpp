#include "kdbench/reports/checkpoint_search.h"

#include <algorithm>
#include <set>

#include "kdbench/reports/capacity_gap.h"

namespace kdbench::reports {
namespace {

using results::RunRecord;
using results::Status;

bool is_student_of(const RunRecord& r, const std::string& teacher) {
  return r.kind == "student" && root_teacher(r) == teacher;
}

double json_number(const nlohmann::json& j, const char* key, const char* alt, bool& ok) {
  for (const char* k : {key, alt}) {
    auto it = j.find(k);
    if (it != j.end() && it->is_number()) return it->get<double>();
  }
  ok = false;
  return 0;
}

// The checkpoint epochs the grid asks for ([grid] teacher_checkpoints; "final" is always shown).
std::set<int> grid_checkpoints(const StudyResults& study) {
  std::set<int> epochs;
  for (const auto& token : grid_list(provenance_value(study, "grid_ini"), "teacher_checkpoints")) {
    try {
      size_t used = 0;
      const int e = std::stoi(token, &used);
      if (used == token.size() && e > 0) epochs.insert(e);
    } catch (const std::exception&) {
      // "final" or a value the grid parser rejected: no row of its own.
    }
  }
  return epochs;
}

CheckpointRow teacher_row(const StudyResults& study, const std::string& teacher, int checkpoint) {
  CheckpointRow row;
  row.checkpoint = checkpoint;
  row.epoch = checkpoint;
  std::vector<double> val, test;
  for (const auto& r : study.runs) {
    if (r.kind != "teacher" || r.model != teacher || r.status != Status::Done) continue;
    if (checkpoint < 0) {
      if (r.curves.size() == 0) continue;
      row.epoch = std::max(row.epoch, r.curves.epoch.back());
      val.push_back(100.0 * val_scores(r).back());
      test.push_back(100.0 * test_scores(r).back());
      continue;
    }
    double v = 0, t = 0;
    if (teacher_checkpoint_accuracy(r, checkpoint, v, t)) {
      val.push_back(v);
      test.push_back(t);
    }
  }
  if (checkpoint < 0 && row.epoch < 0) row.epoch = 0;
  row.teacher_val = summarize(val);
  row.teacher_test = summarize(test);
  return row;
}

}  // namespace

bool teacher_checkpoint_accuracy(const RunRecord& teacher, int epoch, double& val, double& test) {
  if (!teacher.checkpoints.is_object()) return false;
  auto it = teacher.checkpoints.find(std::to_string(epoch));
  if (it == teacher.checkpoints.end() || !it->is_object()) return false;
  bool ok = true;
  if (results::scored_by_accuracy(teacher)) {
    val = 100.0 * json_number(*it, "val_acc", "val", ok);
    test = 100.0 * json_number(*it, "test_acc", "test", ok);
  } else {
    val = 100.0 * json_number(*it, "val_metric", "val_metric", ok);
    test = 100.0 * json_number(*it, "test_metric", "test_metric", ok);
  }
  return ok;
}

CheckpointSearchTable checkpoint_search(const StudyResults& study, const TableOptions& options) {
  const StudyOrder order = study_order(study, options.selection);
  CheckpointSearchTable table;
  table.metric = options.metric;
  table.task_metric = task_metric(study);
  table.dataset = study_dataset(study);
  const std::set<int> grid_epochs = grid_checkpoints(study);
  std::set<int64_t> seeds;

  for (const auto& teacher : order.teachers) {
    CheckpointBlock block;
    block.teacher = teacher;
    block.teacher_params = params_of(study.runs, "teacher", teacher);
    std::set<int> epochs = grid_epochs;
    for (const auto& student : order.students) {
      for (const auto& method : order.methods) {
        bool searched = false;
        for (const auto& r : study.runs) {
          if (is_student_of(r, teacher) && r.model == student && r.method == method &&
              r.teacher_checkpoint >= 0) {
            searched = true;
            epochs.insert(r.teacher_checkpoint);
          }
        }
        if (searched) block.columns.push_back({student, method});
      }
    }
    if (block.columns.empty()) continue;
    for (int e : epochs) block.rows.push_back(teacher_row(study, teacher, e));
    block.rows.push_back(teacher_row(study, teacher, -1));
    for (auto& row : block.rows) {
      for (const auto& column : block.columns) {
        ResultCell cell;
        for (const auto& r : study.runs) {
          const int checkpoint = r.teacher_checkpoint < 0 ? -1 : r.teacher_checkpoint;
          if (!is_student_of(r, teacher) || r.model != column.student ||
              r.method != column.method || checkpoint != row.checkpoint) {
            continue;
          }
          cell.runs.add(r, options.metric);
          if (r.status == Status::Done) seeds.insert(r.seed);
        }
        cell.stats = cell.runs.stats();
        row.cells.push_back(std::move(cell));
      }
    }
    for (size_t c = 0; c < block.columns.size(); ++c) {
      std::vector<ResultCell*> column;
      for (auto& row : block.rows) column.push_back(&row.cells[c]);
      mark_best(column);
    }
    table.blocks.push_back(std::move(block));
  }
  for (const auto& student : order.students) {
    CellRuns nokd;
    for (const auto& r : study.runs) {
      if (r.kind == "student" && r.model == student && r.method == "nokd") {
        nokd.add(r, options.metric);
      }
    }
    table.nokd[student] = nokd.stats();
  }
  table.seeds.assign(seeds.begin(), seeds.end());
  return table;
}

}  // namespace kdbench::reports
