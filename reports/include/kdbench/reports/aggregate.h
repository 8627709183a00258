#pragma once
// Reading a results file into records and aggregating over seeds (docs/design.md §4, reports::).
// Aggregation is kept apart from rendering (table_views.h, csv.h, figures.h) so every table and
// figure reuses the same grouping, statistics and column order.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kdbench/reports/paper_numbers.h"
#include "kdbench/reports/stats.h"
#include "kdbench/results/run_record.h"

namespace kdbench::reports {

// Which accuracy of a run a table shows (docs/methods.md §0, "Model selection").
enum class Metric { TestAtBestVal, BestVal, FinalTest, BestTest };
// "test_at_best_val" | "best_val" | "final_test" | "best_test"; ConfigError naming the allowed.
Metric parse_metric(const std::string& name);
std::string metric_name(Metric m);
// How the report names the metric that scores the runs (results::RunRecord::metric, the
// task's: accuracy for images, MCC / F1 / Pearson / Spearman for some GLUE tasks). Values are
// printed ×100 for every metric ("percent" for accuracy, "points" of the metric otherwise).
struct ScoreNames {
  std::string name;        // in sentences: "accuracy" | "MCC" | "F1" | "Pearson" | "Spearman"
  std::string short_name;  // in headers after "Teacher": "acc." | "MCC" | ...
  std::string unit;        // "%" | "×100"
  std::string csv;         // in CSV column names: "acc" | "mcc" | "f1" | "pearson" | "spearman"
  bool is_accuracy() const { return csv == "acc"; }
};
// ConfigError naming the metric for one results::kMetricNames does not hold.
ScoreNames score_names(const std::string& task_metric);

// For captions, plain text: e.g. "test accuracy (%) at the best-validation epoch", "test MCC
// (×100) at the best-validation epoch".
std::string metric_caption(Metric m, const std::string& task_metric = "accuracy");
// The run's score ×100: its accuracy as a percentage for runs scored by accuracy (records hold
// fractions), else the metric's value (best_val_metric, test_metric_at_best_val, ...) ×100.
double metric_percent(const results::RunRecord& r, Metric m);
// The run's per-epoch validation / test scores as fractions: the accuracy curves for runs scored
// by accuracy, else val_metric / test_metric.
const std::vector<double>& val_scores(const results::RunRecord& r);
const std::vector<double>& test_scores(const results::RunRecord& r);

// Mean and SAMPLE standard deviation (n - 1 in the denominator) of n values. n = 0: no data
// (mean and std 0, shown as a dash); n = 1: std 0.
struct Stats {
  double mean = 0;
  double std = 0;
  int n = 0;
};
Stats summarize(const std::vector<double>& values);

// The runs behind one table cell: the DONE ones as (seed, accuracy in %), the others counted, so a
// partial grid shows pending cells as a dash and failed ones as a cross.
struct CellRuns {
  std::vector<std::pair<int64_t, double>> values;  // in the order the runs were recorded
  int failed = 0;
  int unfinished = 0;  // pending, running or interrupted (they resume)
  void add(const results::RunRecord& r, Metric metric);
  Stats stats() const;
  std::vector<double> accuracies() const;
};
enum class CellState { HasData, Pending, Failed };
// HasData when a run finished; Failed when every recorded run failed; Pending otherwise
// (including no run recorded yet).
CellState cell_state(const CellRuns& runs);

// One aggregated cell of a table: its runs, their statistics, how it compares with nokd, whether
// it is the best of its row (or column) and the published number of its setup.
struct ResultCell {
  CellRuns runs;
  Stats stats;
  TTest vs_nokd;                // kind None for nokd itself and where the test is undefined
  bool best = false;            // ties are all best; needs two cells with data to compare
  std::optional<double> paper;  // published accuracy (%), with TableOptions::paper
};
// Sets `best` on the cells with the highest mean, when at least two cells have data.
void mark_best(std::vector<ResultCell*> cells);

// Which teachers, students and methods a report shows, in this order. Empty = all of the study,
// in the grid's order (--teachers / --students / --methods of `kdbench report`).
struct Selection {
  std::vector<std::string> teachers, students, methods;
};

// What every table and figure is built with.
struct TableOptions {
  Metric metric = Metric::TestAtBestVal;
  Selection selection;
  bool paper = false;  // add docs/methods.md §11 published numbers beside replicated setups
  // Numbers a user brings (--paper-numbers FILE), consulted before the built-in table.
  std::vector<PaperNumber> user_paper_numbers;
};

// Everything a report needs from one results file.
struct StudyResults {
  std::string path;
  std::map<std::string, std::string> provenance;  // root attributes as text
  // In the order they were first recorded. A report measures a run against its root teacher
  // (root_teacher()), so here teacher_checkpoint is the root teacher's too: a TAKD run whose
  // chain starts at epoch 2 of its teacher has teacher_checkpoint 2, although its own upstream
  // (an assistant, recorded as teacher_checkpoint -1 in the file) is final.
  std::vector<results::RunRecord> runs;
};
StudyResults load_results(const std::string& path);  // IoError from the store
// Sets teacher_checkpoint of every run learning from an assistant to that of its chain's root
// teacher, following teacher_key (load_results does this).
void use_root_checkpoints(std::vector<results::RunRecord>& runs);

// Row and column order of the study: teachers (models of teacher runs and root teachers of student
// runs), students (models of student runs), methods (of student runs; "nokd" first), plus the
// names the grid lists ([grid] teachers / students / methods of the grid_ini provenance) even
// before any of their runs is recorded, so a partial grid shows its full shape. Grid names come
// in the grid's order, the others after them in order of first appearance among the runs.
// A non-empty selection list replaces the corresponding list (its order wins); a name that is
// not in the study is a ConfigError listing the names that are.
struct StudyOrder {
  std::vector<std::string> teachers, students, methods;
};
StudyOrder study_order(const StudyResults& study, const Selection& selection = {});
// A root attribute of the results file as text, "" when absent.
std::string provenance_value(const StudyResults& study, const std::string& name);
// The metric that scores the study's finished runs ("accuracy" when none has finished; runs
// not DONE carry no score). A report shows one metric: finished runs of different metrics (a
// merge of two datasets' files) are a ConfigError naming two of them.
std::string task_metric(const StudyResults& study);
// Distinct dataset names of the runs, joined with ", " ("" if none recorded one).
std::string study_dataset(const StudyResults& study);
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
