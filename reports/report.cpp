#include "kdbench/reports/report.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>

#include "figures.h"
#include "kdbench/core/errors.h"
#include "kdbench/reports/aggregate.h"
#include "kdbench/reports/capacity_gap.h"
#include "kdbench/reports/checkpoint_search.h"
#include "kdbench/reports/csv.h"
#include "kdbench/reports/method_summary.h"
#include "kdbench/reports/pretraining.h"
#include "kdbench/reports/table_views.h"
#include "kdbench/reports/takd_paths.h"
#include "kdbench/results/artifacts.h"
#include "latex_tools.h"
#include "report_document.h"

namespace fs = std::filesystem;

namespace kdbench::reports {
namespace {

struct Bundle {
  std::vector<ReportSection> sections;
  std::vector<std::pair<std::string, std::string>> csvs;  // table stem -> CSV text
  std::vector<int64_t> seeds;
};

void add_seeds(std::set<int64_t>& to, const std::vector<int64_t>& seeds) {
  to.insert(seeds.begin(), seeds.end());
}

// Every table and figure of the study. Builds everything before a file is written, so a bad
// selection writes nothing.
Bundle build(const StudyResults& study, const TableOptions& options) {
  Bundle bundle;
  std::set<int64_t> seeds;
  const CapacityGapTable gap = capacity_gap(study, options);
  add_seeds(seeds, gap.seeds);
  bundle.sections.push_back(
      {"Capacity gap", "capacity_gap", {capacity_gap_view(gap)}, capacity_gap_figures(gap)});
  bundle.csvs.push_back({"capacity_gap", capacity_gap_csv(gap)});
  if (gap.methods.size() > 1 && !gap.blocks.empty()) {
    const MethodSummaryTable summary = method_summary(gap);
    bundle.sections.push_back(
        {"Method summary", "method_summary", {method_summary_view(summary)}, {}});
    bundle.csvs.push_back({"method_summary", method_summary_csv(summary)});
  }
  const CheckpointSearchTable search = checkpoint_search(study, options);
  if (!search.blocks.empty()) {
    add_seeds(seeds, search.seeds);
    bundle.sections.push_back({"Checkpoint search", "checkpoint_search",
                               checkpoint_search_views(search),
                               checkpoint_search_figures(search, gap.methods)});
    bundle.csvs.push_back({"checkpoint_search", checkpoint_search_csv(search)});
  }
  const TakdPathsTable paths = takd_paths(study, options);
  if (!paths.paths.empty()) {
    add_seeds(seeds, paths.seeds);
    bundle.sections.push_back(
        {"Teacher-assistant paths", "ta_paths", {takd_paths_view(paths)}, {}});
    bundle.csvs.push_back({"ta_paths", takd_paths_csv(paths)});
  }
  const PretrainingTable pretrained = pretraining(study);
  if (!pretrained.rows.empty()) {
    bundle.sections.push_back({"Pretraining",
                               "pretraining",
                               {pretraining_view(pretrained)},
                               pretraining_figures(pretrained)});
    bundle.csvs.push_back({"pretraining", pretraining_csv(pretrained)});
  }
  auto curves = training_curve_figures(study, options);
  if (!curves.empty()) bundle.sections.push_back({"Training curves", "", {}, std::move(curves)});
  bundle.seeds.assign(seeds.begin(), seeds.end());
  return bundle;
}

// Compiles the figures (in parallel) and then report.tex; PNGs when pdftoppm exists. Throws
// IoError naming the logs of what failed, after trying everything.
void compile(const fs::path& dir, const std::vector<const Figure*>& figures,
             const ReportOptions& options, ReportSummary& summary) {
  const fs::path figure_dir = dir / "figures";
  const bool png = program_available("pdftoppm");
  if (!png) {
    summary.messages.push_back(
        "pdftoppm not found (poppler-utils): figures are written as PDF only, no PNG");
  }
  std::vector<std::function<bool()>> jobs;
  for (const Figure* f : figures) {
    jobs.push_back([&, f] {
      return run_pdflatex(figure_dir, f->name) && (!png || run_pdftoppm(figure_dir, f->name));
    });
  }
  const int parallel =
      options.jobs > 0 ? options.jobs : static_cast<int>(std::thread::hardware_concurrency());
  const std::vector<bool> ok = run_parallel(jobs, std::max(1, parallel));
  std::vector<std::string> failed;
  for (size_t i = 0; i < figures.size(); ++i) {
    const fs::path stem = figure_dir / figures[i]->name;
    if (ok[i]) {
      summary.files.push_back(stem.string() + ".pdf");
      if (png) summary.files.push_back(stem.string() + ".png");
    } else {
      failed.push_back((stem.string() + ".log"));
    }
  }
  if (run_pdflatex(dir, "report")) {
    summary.files.push_back((dir / "report.pdf").string());
  } else {
    failed.push_back((dir / "report.log").string());
  }
  if (!failed.empty()) {
    std::string logs;
    for (const auto& f : failed) logs += (logs.empty() ? "" : ", ") + f;
    throw IoError((dir / "report.tex").string() + ": pdflatex failed, see " + logs);
  }
}

// Whether some run of the study is of a published number's setup (a --paper-numbers line that
// matches nothing is most likely a misspelt model or method: the user is told).
bool study_has_setup(const StudyResults& study, const PaperNumber& n) {
  bool student = false, teacher = n.teacher == kUnnamedTeacher;
  for (const auto& r : study.runs) {
    if (r.dataset != n.dataset) continue;
    teacher |= r.kind == "teacher" && r.model == n.teacher;
    student |= r.kind == "student" && r.model == n.student &&
               (n.method == "teacher" || r.method == n.method);
  }
  return student && teacher;
}

}  // namespace

ReportSummary write_report(const ReportOptions& options) {
  TableOptions table_options;
  table_options.metric = parse_metric(options.metric);  // before any file is touched
  table_options.selection = {options.teachers, options.students, options.methods};
  table_options.paper = options.paper || !options.paper_numbers_path.empty();
  if (!options.paper_numbers_path.empty()) {
    table_options.user_paper_numbers = read_paper_numbers(options.paper_numbers_path);
  }
  if (options.out_dir.empty()) throw ConfigError("report: the output directory is empty");
  const StudyResults study = load_results(options.results_path);
  task_metric(study);  // runs of mixed or unknown metrics: a ConfigError before any file is written
  ReportSummary summary;
  summary.runs = static_cast<int>(study.runs.size());
  for (const auto& r : study.runs) summary.done += r.status == results::Status::Done;
  const Bundle bundle = build(study, table_options);
  for (const auto& n : table_options.user_paper_numbers) {
    if (!study_has_setup(study, n)) {
      summary.messages.push_back(n.origin + ": no run of " + study.path + " has dataset " +
                                 n.dataset + ", student " + n.student + " and method " + n.method +
                                 (n.teacher == kUnnamedTeacher ? "" : ", teacher " + n.teacher) +
                                 "; this number is not shown");
    }
  }

  const fs::path dir(options.out_dir);
  // Reports are cheap to regenerate: atomic against a crash, no fsync.
  auto write = [&](const fs::path& path, const std::string& text) {
    results::write_text_atomic(path.string(), text, /*fsync=*/false);
    summary.files.push_back(path.string());
  };
  std::vector<const Figure*> figures;
  for (const auto& section : bundle.sections) {
    if (!section.table_stem.empty()) {
      const fs::path stem = dir / "tables" / section.table_stem;
      write(stem.string() + ".tex", latex_of(section.tables));
      for (const auto& [name, csv] : bundle.csvs) {
        if (name == section.table_stem) write(stem.string() + ".csv", csv);
      }
      write(stem.string() + ".md", markdown_of(section.tables));
    }
    for (const auto& figure : section.figures) {
      write(dir / "figures" / (figure.name + ".tex"), figure.tex);
      figures.push_back(&figure);
    }
  }
  summary.figures = static_cast<int>(figures.size());
  write(dir / "summary.csv", runs_csv(study));
  DocumentInfo info{&study,       table_options.metric, summary.runs,
                    summary.done, bundle.seeds,         options.paper};
  write(dir / "report.tex", report_tex(info, bundle.sections));
  write(dir / "report.md", report_markdown(info, bundle.sections));

  if (!options.compile_pdf && !options.require_pdf) return summary;
  if (!program_available("pdflatex")) {
    const std::string message =
        "pdflatex not found: wrote the tables (.tex, .csv, .md), the figure sources and "
        "report.tex but no PDF; install TeX Live with pgfplots (texlive-latex-extra, "
        "texlive-pictures) and re-run, or compile " +
        (dir / "figures").string() + "/*.tex and then report.tex with pdflatex";
    if (options.require_pdf) throw IoError((dir / "report.tex").string() + ": " + message);
    summary.messages.push_back(message);
    return summary;
  }
  compile(dir, figures, options, summary);
  return summary;
}

}  // namespace kdbench::reports
