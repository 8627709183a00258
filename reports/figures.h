#pragma once
// The report's figures as standalone PGFPlots documents (issue 4): each compiles on its own
// (documentclass standalone + pgfplots) to DIR/figures/NAME.pdf, which report.tex includes.
// Paper look: 10 pt fonts, the colour-blind-safe Okabe–Ito palette with a distinct mark per
// method (a method keeps its colour in every figure), legends outside the data, error bars or
// bands over seeds.
#include <string>
#include <vector>

#include "kdbench/reports/aggregate.h"
#include "kdbench/reports/capacity_gap.h"
#include "kdbench/reports/checkpoint_search.h"

namespace kdbench::reports {

struct Figure {
  std::string name;     // file stem under DIR/figures (no extension)
  std::string caption;  // plain UTF-8 text for report.tex / report.md
  std::string tex;      // the standalone document
};

// Per student: student accuracy vs teacher parameters (log axis), one line per method with
// error bars (sample std over seeds), nokd as a dashed line with a ±std band.
std::vector<Figure> capacity_gap_figures(const CapacityGapTable& table);

// Per (teacher, student) with checkpoint runs: student accuracy vs the teacher checkpoint epoch
// per method (error bars), the teacher's own test accuracy on a second y axis, nokd dashed.
std::vector<Figure> checkpoint_search_figures(const CheckpointSearchTable& table,
                                              const std::vector<std::string>& methods);

// Per (student, teacher) with finished KD runs: validation accuracy per epoch, mean over seeds
// (line) with a ±std band (the seed spread), one line per method, nokd included.
std::vector<Figure> training_curve_figures(const StudyResults& study, const TableOptions& options);

// The pretrain runs' validation MLM accuracy per step, one line per model
// (reports/pretraining.cpp).
struct PretrainingTable;
std::vector<Figure> pretraining_figures(const PretrainingTable& table);

// --- building blocks (figure_style.cpp) ---

// \documentclass{standalone} + pgfplots + the palette's \definecolor lines, up to and including
// \begin{tikzpicture}; standalone_end() closes both.
std::string standalone_preamble();
std::string standalone_end();
// The pgfplots style of a method's line: colour and mark by its position in `methods` (the
// study's method order); nokd is black and dashed.
std::string series_style(const std::string& method, const std::vector<std::string>& methods);
// "Test acc. at best val. (%)", "test MCC at best val. (×100)" etc., for axis labels
// (LaTeX-ready).
std::string metric_axis_label(Metric metric, const std::string& task_metric);
// The score's name and unit in an axis label: "acc.\ " and "(\%)" for accuracy, "MCC " and
// "($\times$100)" for MCC, ...
std::string axis_score(const ScoreNames& score);
std::string axis_unit(const ScoreNames& score);

}  // namespace kdbench::reports
