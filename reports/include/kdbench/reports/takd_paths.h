#pragma once
// The TA-path table (issue 4): every TAKD chain T -> TA_1 -> ... -> S of the study with the
// accuracy of each link's model (the teacher's own runs, the assistants trained along the chain,
// the TAKD students), next to the same student distilled directly from T (kd) and without a
// teacher (nokd).
#include <set>
#include <string>
#include <vector>

#include "kdbench/reports/aggregate.h"

namespace kdbench::reports {

struct TakdLink {
  std::string model;
  std::string kind;  // teacher | assistant | student
  ResultCell cell;   // `paper`: the published number of this link, with TableOptions::paper
};

// The student's three cells (TAKD, kd, nokd) are compared with nokd and the best is marked.
struct TakdPath {
  std::vector<TakdLink> links;  // chain order: teacher first, student last
  ResultCell direct_kd;         // student <- teacher with kd, final teacher
  ResultCell nokd;              // student alone
};

struct TakdPathsTable {
  Metric metric = Metric::TestAtBestVal;
  std::string task_metric = "accuracy";  // what scores the runs (aggregate.h task_metric)
  bool paper = false;
  std::string dataset;
  std::vector<int64_t> seeds;  // distinct seeds of the student cells (TAKD, kd, nokd) counted
  bool used_paired = false, used_welch = false;  // tests behind the markers (caption)
  size_t max_assistants = 0;    // the longest chain's number of TAs (table columns)
  std::vector<TakdPath> paths;  // in study order of teacher, then student, then first appearance
  // Sources of the shown numbers that came from a --paper-numbers file (the caption names them).
  std::set<std::string> user_paper_sources;
};

TakdPathsTable takd_paths(const StudyResults& study, const TableOptions& options);

// "resnet110 → resnet20 → resnet8" (UTF-8 arrows; renderers translate them).
std::string chain_text(const std::vector<std::string>& chain);

}  // namespace kdbench::reports
