#pragma once
// `kdbench report results.h5 --out DIR` (DESIGN.md §1): reads a results file and writes the
// paper's tables. Issue 2: the capacity-gap table; checkpoint-search tables, figures and
// significance tests plug in next to it (aggregation in aggregate.h / capacity_gap.h, rendering
// in latex_table.h / csv.h).
//
// Output, every file written atomically (tmp + rename):
//   DIR/tables/capacity_gap.tex   booktabs table, \input by report.tex
//   DIR/tables/capacity_gap.csv   the same numbers as a tidy table
//   DIR/report.tex                standalone document (pdflatex report.tex inside DIR)
//   DIR/report.pdf                only with compile_pdf
#include <string>
#include <vector>

namespace kdbench::reports {

struct ReportOptions {
  std::string results_path;
  std::string out_dir;
  std::string metric = "test_at_best_val";  // | best_val | final_test | best_test
  // Runs pdflatex on report.tex in out_dir (IoError naming the log if it fails).
  bool compile_pdf = false;
};

struct ReportSummary {
  std::vector<std::string> files;  // paths written, in the order above
  int runs = 0;                    // runs read from the results file
  int done = 0;                    // of which DONE
};

// ConfigError for an unknown metric; IoError for an unreadable results file or unwritable DIR.
ReportSummary write_report(const ReportOptions& options);

}  // namespace kdbench::reports
