#pragma once
// LaTeX rendering (booktabs). Tables are bare `table` environments that compile inside any
// document loading booktabs; report.tex \input's them.
#include <string>

#include "reports/aggregate.h"
#include "reports/capacity_gap.h"

namespace kdbench::reports {

// Escapes LaTeX's special characters (& % $ # _ { } ~ ^ \ < > |) for text mode under any font
// encoding, so model, method and grid names print as they are.
std::string latex_escape(const std::string& text);

// "87.31 $\pm$ 0.42 (3)"; "---" when there is no run (n = 0).
std::string latex_cell(const Stats& s);

// One table with a block of teacher rows per student (\midrule between blocks); the caption
// names the dataset, the metric and the seeds.
std::string capacity_gap_latex(const CapacityGapTable& table);

}  // namespace kdbench::reports
