#include "kdbench/reports/method_summary.h"

#include <algorithm>

namespace kdbench::reports {

std::vector<double> descending_ranks(const std::vector<double>& values) {
  std::vector<size_t> index(values.size());
  for (size_t i = 0; i < index.size(); ++i) index[i] = i;
  std::stable_sort(index.begin(), index.end(),
                   [&](size_t a, size_t b) { return values[a] > values[b]; });
  std::vector<double> ranks(values.size());
  for (size_t i = 0; i < index.size();) {
    size_t j = i;
    while (j + 1 < index.size() && values[index[j + 1]] == values[index[i]]) ++j;
    const double shared = (static_cast<double>(i + 1) + static_cast<double>(j + 1)) / 2;
    for (size_t k = i; k <= j; ++k) ranks[index[k]] = shared;
    i = j + 1;
  }
  return ranks;
}

MethodSummaryTable method_summary(const CapacityGapTable& gap) {
  MethodSummaryTable table;
  table.metric = gap.metric;
  table.task_metric = gap.task_metric;
  table.dataset = gap.dataset;
  table.seeds = gap.seeds;
  const auto nokd_it = std::find(gap.methods.begin(), gap.methods.end(), "nokd");
  table.has_nokd = nokd_it != gap.methods.end();
  const size_t nokd = static_cast<size_t>(nokd_it - gap.methods.begin());
  const size_t methods = gap.methods.size();

  for (const auto& block : gap.blocks) {
    MethodSummaryBlock out;
    out.student = block.student;
    out.teachers = static_cast<int>(block.rows.size());
    std::vector<double> rank_sum(methods, 0), gain_sum(methods, 0);
    for (const auto& method : gap.methods) out.rows.push_back({method});
    for (const auto& row : block.rows) {
      std::vector<double> means;
      for (const auto& cell : row.cells) {
        if (cell.stats.n > 0) means.push_back(cell.stats.mean);
      }
      if (means.size() == methods && methods > 0) {
        const auto ranks = descending_ranks(means);
        for (size_t m = 0; m < methods; ++m) {
          rank_sum[m] += ranks[m];
          ++out.rows[m].ranked_teachers;
        }
      }
      for (size_t m = 0; m < methods; ++m) {
        const auto& cell = row.cells[m];
        out.rows[m].wins += cell.best;
        out.rows[m].significant += cell.vs_nokd.significant(kSignificanceLevel);
        if (table.has_nokd && m != nokd && cell.stats.n > 0 && row.cells[nokd].stats.n > 0) {
          gain_sum[m] += cell.stats.mean - row.cells[nokd].stats.mean;
          ++out.rows[m].gain_teachers;
        }
      }
    }
    double best_rank = 0, best_gain = 0;
    bool any_rank = false, any_gain = false;
    for (size_t m = 0; m < methods; ++m) {
      auto& r = out.rows[m];
      if (r.ranked_teachers > 0) {
        r.mean_rank = rank_sum[m] / r.ranked_teachers;
        best_rank = any_rank ? std::min(best_rank, r.mean_rank) : r.mean_rank;
        any_rank = true;
      }
      if (r.gain_teachers > 0) {
        r.mean_gain = gain_sum[m] / r.gain_teachers;
        best_gain = any_gain ? std::max(best_gain, r.mean_gain) : r.mean_gain;
        any_gain = true;
      }
    }
    for (auto& r : out.rows) {
      r.best_rank = r.ranked_teachers > 0 && methods > 1 && r.mean_rank == best_rank;
      r.best_gain = r.gain_teachers > 0 && r.mean_gain == best_gain;
    }
    table.blocks.push_back(std::move(out));
  }
  return table;
}

}  // namespace kdbench::reports
