#include "kdbench/reports/aggregate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"
#include "kdbench/results/results_store.h"

namespace kdbench::reports {

Metric parse_metric(const std::string& name) {
  for (Metric m : {Metric::TestAtBestVal, Metric::BestVal, Metric::FinalTest, Metric::BestTest}) {
    if (metric_name(m) == name) return m;
  }
  throw ConfigError("report metric '" + name +
                    "' is unknown (allowed: test_at_best_val, best_val, final_test, best_test)");
}

std::string metric_name(Metric m) {
  switch (m) {
    case Metric::TestAtBestVal:
      return "test_at_best_val";
    case Metric::BestVal:
      return "best_val";
    case Metric::FinalTest:
      return "final_test";
    case Metric::BestTest:
      return "best_test";
  }
  return "?";
}

ScoreNames score_names(const std::string& task_metric) {
  if (task_metric.empty() || task_metric == "accuracy") {
    return {"accuracy", "acc.", "%", "acc"};
  }
  if (task_metric == "matthews") return {"MCC", "MCC", "\u00d7100", "mcc"};
  if (task_metric == "f1") return {"F1", "F1", "\u00d7100", "f1"};
  if (task_metric == "pearson") return {"Pearson", "Pearson", "\u00d7100", "pearson"};
  if (task_metric == "spearman") return {"Spearman", "Spearman", "\u00d7100", "spearman"};
  throw ConfigError("report: run metric '" + task_metric +
                    "' is unknown (allowed: accuracy, matthews, f1, pearson, spearman)");
}

std::string metric_caption(Metric m, const std::string& task_metric) {
  const ScoreNames score = score_names(task_metric);
  const std::string what = score.name + " (" + score.unit + ")";
  switch (m) {
    case Metric::TestAtBestVal:
      return "test " + what + " at the best-validation epoch";
    case Metric::BestVal:
      return "best validation " + what;
    case Metric::FinalTest:
      return "test " + what + " after the last epoch";
    case Metric::BestTest:
      return "best test " + what + " over all epochs";
  }
  return "?";
}

// Accuracy runs read the accuracy fields, as before the metric fields existed: records built
// in memory with accuracies alone (and old files) report the same numbers.
double metric_percent(const results::RunRecord& r, Metric m) {
  const bool acc = results::scored_by_accuracy(r);
  switch (m) {
    case Metric::TestAtBestVal:
      return 100.0 * (acc ? r.test_acc_at_best_val : r.test_metric_at_best_val);
    case Metric::BestVal:
      return 100.0 * (acc ? r.best_val_acc : r.best_val_metric);
    case Metric::FinalTest:
      return 100.0 * (acc ? r.final_test_acc : r.final_test_metric);
    case Metric::BestTest:
      return 100.0 * (acc ? r.best_test_acc : r.best_test_metric);
  }
  return 0;
}

const std::vector<double>& val_scores(const results::RunRecord& r) {
  return results::scored_by_accuracy(r) ? r.curves.val_acc : r.curves.val_metric;
}

const std::vector<double>& test_scores(const results::RunRecord& r) {
  return results::scored_by_accuracy(r) ? r.curves.test_acc : r.curves.test_metric;
}

Stats summarize(const std::vector<double>& values) {
  Stats s;
  s.n = static_cast<int>(values.size());
  if (s.n == 0) return s;
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / s.n;
  if (s.n > 1) {
    double squares = 0;
    for (double v : values) squares += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(squares / (s.n - 1));
  }
  return s;
}

void CellRuns::add(const results::RunRecord& r, Metric metric) {
  switch (r.status) {
    case results::Status::Done:
      values.emplace_back(r.seed, metric_percent(r, metric));
      break;
    case results::Status::Failed:
      ++failed;
      break;
    default:
      ++unfinished;
  }
}

std::vector<double> CellRuns::accuracies() const {
  std::vector<double> out;
  for (const auto& [seed, value] : values) out.push_back(value);
  return out;
}

Stats CellRuns::stats() const { return summarize(accuracies()); }

CellState cell_state(const CellRuns& runs) {
  if (!runs.values.empty()) return CellState::HasData;
  return runs.failed > 0 && runs.unfinished == 0 ? CellState::Failed : CellState::Pending;
}

void mark_best(std::vector<ResultCell*> cells) {
  double best = 0;
  int with_data = 0;
  for (const ResultCell* c : cells) {
    if (c->stats.n == 0) continue;
    best = with_data++ == 0 ? c->stats.mean : std::max(best, c->stats.mean);
  }
  if (with_data < 2) return;
  for (ResultCell* c : cells) c->best = c->stats.n > 0 && c->stats.mean == best;
}

StudyResults load_results(const std::string& path) {
  const auto store = results::ResultsStore::open_read_only(path);
  StudyResults study{path, store.root_attributes(), store.read_all()};
  use_root_checkpoints(study.runs);
  return study;
}

void use_root_checkpoints(std::vector<results::RunRecord>& runs) {
  std::map<std::string, const results::RunRecord*> by_key;
  for (const auto& r : runs) by_key[r.key] = &r;
  // Walk up while the upstream is an assistant; chains are short and acyclic (content keys).
  std::map<std::string, int> root;
  for (const auto& r : runs) {
    const results::RunRecord* up = &r;
    for (size_t hops = 0; hops < runs.size(); ++hops) {
      const auto it = by_key.find(up->teacher_key);
      if (it == by_key.end() || it->second->kind != "assistant") break;
      up = it->second;
    }
    if (up != &r) root[r.key] = up->teacher_checkpoint;
  }
  for (auto& r : runs)
    if (auto it = root.find(r.key); it != root.end()) r.teacher_checkpoint = it->second;
}

std::vector<std::string> grid_list(const std::string& grid_ini, const std::string& key) {
  std::istringstream in(grid_ini);
  std::string line;
  bool in_grid = false;
  while (std::getline(in, line)) {
    line = trim(line.substr(0, line.find_first_of(";#")));
    if (line.empty()) continue;
    if (line.front() == '[') {
      in_grid = line == "[grid]";
      continue;
    }
    const auto eq = line.find('=');
    if (in_grid && eq != std::string::npos && trim(line.substr(0, eq)) == key) {
      return split_ws(line.substr(eq + 1));
    }
  }
  return {};
}

std::vector<std::string> order_like(const std::vector<std::string>& names,
                                    const std::vector<std::string>& preferred) {
  auto rank = [&](const std::string& name) {
    auto it = std::find(preferred.begin(), preferred.end(), name);
    return static_cast<size_t>(it - preferred.begin());  // preferred.size() when absent
  };
  std::vector<std::string> out = names;
  std::stable_sort(out.begin(), out.end(),
                   [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  return out;
}

std::string root_teacher(const results::RunRecord& r) {
  return r.chain.size() >= 2 ? r.chain.front() : r.teacher_model;
}

std::string provenance_value(const StudyResults& study, const std::string& name) {
  auto it = study.provenance.find(name);
  return it == study.provenance.end() ? std::string() : it->second;
}

std::string task_metric(const StudyResults& study) {
  const results::RunRecord* first = nullptr;
  for (const auto& r : study.runs) {
    // A pretrain run scores masked-LM accuracy, never the task's metric (reports/pretraining.cpp).
    if (r.status != results::Status::Done || r.kind == "pretrain") continue;
    if (first == nullptr) {
      first = &r;
    } else if (results::scored_by_accuracy(r) != results::scored_by_accuracy(*first) ||
               (!results::scored_by_accuracy(r) && r.metric != first->metric)) {
      throw ConfigError(study.path + ": runs scored by different metrics (" + first->key + ": " +
                        score_names(first->metric).name + ", " + r.key + ": " +
                        score_names(r.metric).name +
                        "); a report shows one metric: report each dataset's results file alone");
    }
  }
  const std::string metric = first == nullptr || results::scored_by_accuracy(*first)
                                 ? std::string("accuracy")
                                 : first->metric;
  score_names(metric);  // an unknown name is an error here, before anything is written
  return metric;
}

std::string study_dataset(const StudyResults& study) {
  std::vector<std::string> names;
  for (const auto& r : study.runs) {
    if (!r.dataset.empty() && std::find(names.begin(), names.end(), r.dataset) == names.end()) {
      names.push_back(r.dataset);
    }
  }
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

namespace {

void add_unique(std::vector<std::string>& list, const std::string& name) {
  if (!name.empty() && std::find(list.begin(), list.end(), name) == list.end()) {
    list.push_back(name);
  }
}

// The study's names in the grid's order, or the user's selection of them.
std::vector<std::string> ordered(std::vector<std::string> seen,
                                 const std::vector<std::string>& grid,
                                 const std::vector<std::string>& selected, const char* option) {
  for (const auto& name : grid) add_unique(seen, name);
  std::vector<std::string> order = order_like(seen, grid);
  if (selected.empty()) return order;
  for (const auto& name : selected) {
    if (std::find(order.begin(), order.end(), name) == order.end()) {
      std::string known;
      for (const auto& n : order) known += (known.empty() ? "" : " ") + n;
      throw ConfigError(std::string("report --") + option + ": '" + name +
                        "' is not in this study (known: " + (known.empty() ? "none" : known) + ")");
    }
  }
  return selected;
}

}  // namespace

StudyOrder study_order(const StudyResults& study, const Selection& selection) {
  StudyOrder seen;
  for (const auto& r : study.runs) {
    if (r.kind == "teacher") add_unique(seen.teachers, r.model);
    if (r.kind != "student") continue;
    add_unique(seen.teachers, root_teacher(r));
    add_unique(seen.students, r.model);
    add_unique(seen.methods, r.method);
  }
  const std::string grid = provenance_value(study, "grid_ini");
  std::vector<std::string> methods = grid_list(grid, "methods");
  // The baseline column comes first, but only when the study has it.
  const bool has_nokd =
      std::find(methods.begin(), methods.end(), "nokd") != methods.end() ||
      std::find(seen.methods.begin(), seen.methods.end(), "nokd") != seen.methods.end();
  if (has_nokd) methods.insert(methods.begin(), "nokd");
  StudyOrder order;
  order.teachers =
      ordered(seen.teachers, grid_list(grid, "teachers"), selection.teachers, "teachers");
  order.students =
      ordered(seen.students, grid_list(grid, "students"), selection.students, "students");
  order.methods = ordered(seen.methods, methods, selection.methods, "methods");
  return order;
}

}  // namespace kdbench::reports
