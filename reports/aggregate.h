#pragma once
// Reading a results file into records and aggregating over seeds (DESIGN.md §4, reports::).
// Aggregation is kept apart from rendering (latex_table.h, csv.h) so later tables (checkpoint
// search), figures and significance tests reuse the same grouping and statistics.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "suite/results/run_record.h"

namespace kdbench::reports {

// Which accuracy of a run a table shows (METHODS.md §0, "Model selection").
enum class Metric { TestAtBestVal, BestVal, FinalTest, BestTest };
// "test_at_best_val" | "best_val" | "final_test" | "best_test"; ConfigError naming the allowed.
Metric parse_metric(const std::string& name);
std::string metric_name(Metric m);
// For captions, e.g. "test accuracy (\%) at the best-validation epoch" (LaTeX-ready text).
std::string metric_caption(Metric m);
// The run's accuracy as a percentage (records hold fractions in [0, 1]).
double metric_percent(const results::RunRecord& r, Metric m);

// Mean and SAMPLE standard deviation (n - 1 in the denominator) of n values. n = 0: no data
// (mean and std 0, shown as a dash); n = 1: std 0.
struct Stats {
  double mean = 0;
  double std = 0;
  int n = 0;
};
Stats summarize(const std::vector<double>& values);

// Everything a report needs from one results file.
struct StudyResults {
  std::string path;
  std::map<std::string, std::string> provenance;  // root attributes as text
  std::vector<results::RunRecord> runs;           // in the order they were first recorded
};
StudyResults load_results(const std::string& path);  // IoError from the store

// Row and column order of the study, over the names that occur in its runs: teachers (models of
// teacher runs and root teachers of student runs), students (models of student runs), methods
// (of student runs; "nokd" first). Names the grid lists ([grid] teachers / students / methods in
// the grid_ini provenance) come in the grid's order, the others after them in order of first
// appearance among the runs.
struct StudyOrder {
  std::vector<std::string> teachers, students, methods;
};
StudyOrder study_order(const StudyResults& study);
// Values of `key` in the [grid] section of a grid file's text (whitespace/comma separated;
// ';' and '#' start comments). Empty when absent.
std::vector<std::string> grid_list(const std::string& grid_ini, const std::string& key);
// Orders `names` by their position in `preferred`; names not in it keep their relative order
// and go last.
std::vector<std::string> order_like(const std::vector<std::string>& names,
                                    const std::vector<std::string>& preferred);

// The teacher a student run is measured against: the chain's first model when the run has a
// chain of at least two models (TAKD: T -> TA -> S), else teacher_model ("" for nokd).
std::string root_teacher(const results::RunRecord& r);

}  // namespace kdbench::reports
