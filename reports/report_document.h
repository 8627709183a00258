#pragma once
// report.tex and report.md: every table and figure of a report with its caption, in one document.
#include <string>
#include <vector>

#include "figures.h"
#include "kdbench/reports/aggregate.h"
#include "kdbench/reports/table_model.h"

namespace kdbench::reports {

// A part of the report: its heading, the tables (file stem under DIR/tables and the models) and
// the figures that belong to it.
struct ReportSection {
  std::string heading;
  std::string table_stem;          // "" = no table
  std::vector<TableModel> tables;  // what tables/<stem>.tex|.md hold
  std::vector<Figure> figures;
};

struct DocumentInfo {
  const StudyResults* study = nullptr;
  Metric metric = Metric::TestAtBestVal;
  int runs = 0, done = 0;
  std::vector<int64_t> seeds;  // of the student runs counted in the tables
  bool paper = false;
};

// The LaTeX document: \input of each table file, \includegraphics of each figure PDF (a framed
// note instead when a figure has not been compiled), so compiling it takes seconds.
std::string report_tex(const DocumentInfo& info, const std::vector<ReportSection>& sections);
// The same as Markdown, with the figures' PNGs.
std::string report_markdown(const DocumentInfo& info, const std::vector<ReportSection>& sections);

}  // namespace kdbench::reports
