#pragma once
// The report's tables as TableModels (issue 4): what each shows, its captions (protocol, seeds,
// markers) and how a cell prints. Rendering: table_model.h; the tidy CSV of the same data: csv.h.
#include <string>
#include <vector>

#include "kdbench/reports/capacity_gap.h"
#include "kdbench/reports/checkpoint_search.h"
#include "kdbench/reports/method_summary.h"
#include "kdbench/reports/table_model.h"
#include "kdbench/reports/takd_paths.h"

namespace kdbench::reports {

// Markers of a mean that differs from nokd (two-sided p < kSignificanceLevel).
inline constexpr const char* kPairedMarker = "\u2020";  // †
inline constexpr const char* kWelchMarker = "\u2021";   // ‡

// A result cell: "87.31 ± 0.42 (3)" (bold when best, marker when significant, "[88.45]" note
// with a published number), "—" while pending, "×" when every run failed.
TableCell result_cell(const ResultCell& cell);

// "Student test accuracy (%) at the best-validation epoch, mean ± sample standard deviation over
// seeds 1, 2 (finished runs in parentheses)." for subject "Student"; no subject: "Test ...".
std::string protocol_sentence(Metric metric, const std::string& task_metric,
                              const std::vector<int64_t>& seeds, const std::string& subject = "");
// Names the tests behind the markers that occur (or says none could be computed yet).
std::string significance_sentence(bool used_paired, bool used_welch);

TableModel capacity_gap_view(const CapacityGapTable& table);
std::vector<TableModel> checkpoint_search_views(const CheckpointSearchTable& table);  // per teacher
TableModel takd_paths_view(const TakdPathsTable& table);
TableModel method_summary_view(const MethodSummaryTable& table);

// The LaTeX (several tables concatenated) and Markdown of views.
std::string latex_of(const std::vector<TableModel>& tables);
std::string markdown_of(const std::vector<TableModel>& tables);

}  // namespace kdbench::reports
