#include "kdbench/reports/csv.h"

#include <cmath>

#include "format.h"

namespace kdbench::reports {
namespace {

std::string csv_num(double v) { return fixed(v, 4); }
std::string count(int64_t v) { return v > 0 ? std::to_string(v) : ""; }
std::string flag(bool b) { return b ? "1" : "0"; }
std::string optional_num(const std::optional<double>& v) { return v ? csv_num(*v) : ""; }

// mean, std, n, with mean and std empty when there is no data.
std::vector<std::string> stats_fields(const Stats& s) {
  if (s.n == 0) return {"", "", "0"};
  return {csv_num(s.mean), csv_num(s.std), std::to_string(s.n)};
}

std::string state_name(const CellRuns& runs) {
  switch (cell_state(runs)) {
    case CellState::HasData:
      return "done";
    case CellState::Pending:
      return "pending";
    case CellState::Failed:
      return "failed";
  }
  return "";
}

// state, mean, std, n, failed, best
std::vector<std::string> cell_fields(const ResultCell& c) {
  const auto s = stats_fields(c.stats);
  return {state_name(c.runs), s[0], s[1], s[2], std::to_string(c.runs.failed), flag(c.best)};
}

// test, t, df, p_value, significant (empty when no test was computed)
std::vector<std::string> test_fields(const TTest& t) {
  if (t.kind == TestKind::None) return {"", "", "", "", ""};
  return {test_name(t.kind), csv_num(t.t), csv_num(t.df), fixed(t.p, 6),
          flag(t.significant(kSignificanceLevel))};
}

void append(std::vector<std::string>& to, const std::vector<std::string>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

}  // namespace

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + csv_field(fields[i]);
  return out + "\n";
}

std::string capacity_gap_csv(const CapacityGapTable& table) {
  // The teacher's own score: teacher_acc_* for accuracy, teacher_mcc_* for MCC, ...
  const std::string teacher_score = "teacher_" + score_names(table.task_metric).csv;
  std::string csv = csv_line({"student",
                              "student_params",
                              "teacher",
                              "teacher_params",
                              teacher_score + "_mean",
                              teacher_score + "_std",
                              teacher_score + "_n",
                              "paper_teacher_acc",
                              "method",
                              "state",
                              "mean",
                              "std",
                              "n",
                              "failed",
                              "best",
                              "test",
                              "t",
                              "df",
                              "p_value",
                              "significant",
                              "paper_acc"});
  for (const auto& block : table.blocks) {
    for (const auto& row : block.rows) {
      const auto teacher = stats_fields(row.teacher_acc);
      for (size_t m = 0; m < table.methods.size(); ++m) {
        const auto& cell = row.cells[m];
        std::vector<std::string> f = {block.student,   count(block.student_params),
                                      row.teacher,     count(row.teacher_params),
                                      teacher[0],      teacher[1],
                                      teacher[2],      optional_num(row.paper_teacher),
                                      table.methods[m]};
        append(f, cell_fields(cell));
        append(f, test_fields(cell.vs_nokd));
        f.push_back(optional_num(cell.paper));
        csv += csv_line(f);
      }
    }
  }
  return csv;
}

std::string checkpoint_search_csv(const CheckpointSearchTable& table) {
  std::string csv =
      csv_line({"teacher", "teacher_params", "checkpoint", "teacher_epoch", "teacher_val_mean",
                "teacher_val_std", "teacher_test_mean", "teacher_test_std", "teacher_n", "student",
                "method", "state", "mean", "std", "n", "failed", "best"});
  for (const auto& block : table.blocks) {
    for (const auto& row : block.rows) {
      const auto val = stats_fields(row.teacher_val), test = stats_fields(row.teacher_test);
      for (size_t c = 0; c < block.columns.size(); ++c) {
        std::vector<std::string> f = {block.teacher,
                                      count(block.teacher_params),
                                      row.checkpoint < 0 ? "final" : std::to_string(row.checkpoint),
                                      count(row.epoch),
                                      val[0],
                                      val[1],
                                      test[0],
                                      test[1],
                                      test[2],
                                      block.columns[c].student,
                                      block.columns[c].method};
        append(f, cell_fields(row.cells[c]));
        csv += csv_line(f);
      }
    }
  }
  return csv;
}

std::string takd_paths_csv(const TakdPathsTable& table) {
  std::string csv =
      csv_line({"path", "position", "model", "role", "state", "mean", "std", "n", "failed", "best",
                "test", "t", "df", "p_value", "significant", "paper_acc"});
  for (const auto& path : table.paths) {
    std::vector<std::string> chain;
    for (const auto& link : path.links) chain.push_back(link.model);
    std::string name;
    for (const auto& m : chain) name += (name.empty() ? "" : " > ") + m;
    auto line = [&](size_t position, const std::string& model, const std::string& role,
                    const ResultCell& cell) {
      std::vector<std::string> f = {name, std::to_string(position), model, role};
      append(f, cell_fields(cell));
      append(f, test_fields(cell.vs_nokd));
      f.push_back(optional_num(cell.paper));
      csv += csv_line(f);
    };
    for (size_t i = 0; i < path.links.size(); ++i) {
      line(i, path.links[i].model, path.links[i].kind, path.links[i].cell);
    }
    const size_t last = path.links.size() - 1;
    line(last, chain.back(), "direct_kd", path.direct_kd);
    line(last, chain.back(), "nokd", path.nokd);
  }
  return csv;
}

std::string method_summary_csv(const MethodSummaryTable& table) {
  std::string csv = csv_line({"student", "method", "mean_rank", "ranked_teachers", "mean_gain",
                              "gain_teachers", "wins", "significant", "teachers"});
  for (const auto& block : table.blocks) {
    for (const auto& r : block.rows) {
      csv +=
          csv_line({block.student, r.method, r.ranked_teachers ? csv_num(r.mean_rank) : "",
                    std::to_string(r.ranked_teachers), r.gain_teachers ? csv_num(r.mean_gain) : "",
                    std::to_string(r.gain_teachers), std::to_string(r.wins),
                    std::to_string(r.significant), std::to_string(block.teachers)});
    }
  }
  return csv;
}

std::string runs_csv(const StudyResults& study) {
  // A study scored by another metric than accuracy gets its values in columns of their own after
  // the accuracy columns (which keep holding accuracy); an accuracy study's file is unchanged.
  const bool metric_columns = task_metric(study) != "accuracy";
  std::vector<std::string> header({"key", "kind", "status", "dataset", "model", "params", "method",
                                   "teacher", "chain", "teacher_checkpoint", "seed", "best_val_acc",
                                   "test_acc_at_best_val", "final_test_acc", "best_test_acc",
                                   "best_epoch", "epochs", "wall_seconds", "error"});
  if (metric_columns) {
    append(header, {"metric", "best_val_metric", "test_metric_at_best_val", "final_test_metric",
                    "best_test_metric"});
  }
  std::string csv = csv_line(header);
  for (const auto& r : study.runs) {
    std::string chain;
    for (const auto& m : r.chain) chain += (chain.empty() ? "" : " > ") + m;
    const bool done = r.status == results::Status::Done;
    // Not finite: a regression run's accuracies (it has none), an empty cell as for not DONE.
    auto acc = [&](double v) {
      return done && std::isfinite(v) ? csv_num(100.0 * v) : std::string();
    };
    std::vector<std::string> f(
        {r.key, r.kind, results::to_string(r.status), r.dataset, r.model, count(r.params_count),
         r.method, root_teacher(r), chain, std::to_string(r.teacher_checkpoint),
         std::to_string(r.seed), acc(r.best_val_acc), acc(r.test_acc_at_best_val),
         acc(r.final_test_acc), acc(r.best_test_acc), done ? std::to_string(r.best_epoch) : "",
         std::to_string(r.curves.size()), fixed(r.wall_seconds, 1), r.error});
    if (metric_columns) {
      append(f, {done ? r.metric : "", acc(r.best_val_metric), acc(r.test_metric_at_best_val),
                 acc(r.final_test_metric), acc(r.best_test_metric)});
    }
    csv += csv_line(f);
  }
  return csv;
}

}  // namespace kdbench::reports
