#pragma once
// The method summary (issue 4): per student, how each method does across all teachers of the
// capacity-gap table — its mean rank among the methods and its mean gain over nokd.
#include <string>
#include <vector>

#include "kdbench/reports/capacity_gap.h"

namespace kdbench::reports {

struct MethodSummaryRow {
  std::string method;
  // Mean over the teachers whose row has data for every method (rank 1 = best mean, ties share
  // the average of their ranks, nokd ranked like any method). 0 teachers: no rank.
  double mean_rank = 0;
  int ranked_teachers = 0;
  // Mean over the teachers where the method and nokd both have data of (mean - nokd mean), in
  // percentage points. 0 teachers: no gain (and none for nokd itself).
  double mean_gain = 0;
  int gain_teachers = 0;
  int wins = 0;         // teachers whose best cell this method holds (ties count for each)
  int significant = 0;  // teachers where it differs from nokd (p < kSignificanceLevel)
  bool best_rank = false, best_gain = false;
};

struct MethodSummaryBlock {
  std::string student;
  int teachers = 0;                    // teacher rows of the capacity-gap block
  std::vector<MethodSummaryRow> rows;  // one per method, in column order
};

struct MethodSummaryTable {
  Metric metric = Metric::TestAtBestVal;
  std::string task_metric = "accuracy";  // what scores the runs (aggregate.h task_metric)
  std::string dataset;
  std::vector<int64_t> seeds;
  bool has_nokd = false;
  std::vector<MethodSummaryBlock> blocks;
};

MethodSummaryTable method_summary(const CapacityGapTable& capacity_gap);

// Ranks of `values` in descending order (1 = largest); ties get the mean of their ranks.
std::vector<double> descending_ranks(const std::vector<double>& values);

}  // namespace kdbench::reports
