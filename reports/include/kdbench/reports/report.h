#pragma once
// `kdbench report results.h5 --out DIR` (docs/design.md §1, issue 4): reads a results file —
// finished or still being written by a running grid — and writes the paper's tables and figures.
//
// Output (every text file written atomically, tmp + rename):
//   DIR/tables/NAME.tex|.csv|.md  capacity_gap (always), checkpoint_search, ta_paths,
//                                 method_summary (when the study has such runs)
//   DIR/summary.csv               one line per run (the data behind every table)
//   DIR/figures/NAME.tex          standalone PGFPlots figures: capacity_gap_<student>,
//                                 checkpoint_search_<teacher>_<student>, curves_<student>_<teacher>
//   DIR/report.tex, DIR/report.md every table and figure with its caption
// With compile_pdf and pdflatex on PATH, also DIR/figures/NAME.pdf (+ NAME.png when pdftoppm is
// there) and DIR/report.pdf, which includes the figure PDFs.
#include <string>
#include <vector>

namespace kdbench::reports {

struct ReportOptions {
  std::string results_path;
  std::string out_dir;
  std::string metric = "test_at_best_val";  // | best_val | final_test | best_test
  // Selection and order of rows/columns (--teachers / --students / --methods); empty = the
  // grid's. A name not in the study is a ConfigError.
  std::vector<std::string> teachers, students, methods;
  // Published numbers (docs/methods.md §11) beside cells of replicated setups (--paper).
  bool paper = false;
  // A CSV of published numbers the user brings (--paper-numbers; implies paper): read before any
  // file is written, its numbers win over the built-in ones of the same setup.
  std::string paper_numbers_path;
  // Compile the figures and report.tex when pdflatex is on PATH; without it the .tex/.csv/.md
  // files are still written and ReportSummary::messages says what is missing.
  bool compile_pdf = true;
  // A missing pdflatex is an IoError (after the other files are written) instead of a message.
  bool require_pdf = false;
  // pdflatex processes at a time for the figures; 0 = one per hardware thread.
  int jobs = 0;
};

struct ReportSummary {
  std::vector<std::string> files;     // paths written
  std::vector<std::string> messages;  // for the user: missing tools, empty parts of the report
  int runs = 0;                       // runs read from the results file
  int done = 0;                       // of which DONE
  int figures = 0;                    // figure sources written
};

// ConfigError for an unknown metric or selected name (nothing written); IoError for an
// unreadable results file, an unwritable DIR, or a failed pdflatex run (naming its log).
ReportSummary write_report(const ReportOptions& options);

}  // namespace kdbench::reports
