// `kdbench report RESULTS --out DIR`: the paper's tables and figures from the results file alone.
#include <iostream>

#include "commands.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"
#include "kdbench/reports/report.h"
#include "parse_args.h"

namespace kdbench::cli {

int cmd_report(const Args& args) {
  po::options_description opts;
  opts.add_options()("out", po::value<std::string>(), "output directory")(
      "metric", po::value<std::string>()->default_value("test_at_best_val"),
      "test_at_best_val | best_val | final_test | best_test")(
      "teachers", po::value<std::string>()->default_value(""),
      "rows to show, in order (a,b or 'a b')")(
      "students", po::value<std::string>()->default_value(""), "students to show, in order")(
      "methods", po::value<std::string>()->default_value(""), "columns to show, in order")(
      "paper", po::bool_switch(),
      "published numbers (docs/methods.md §11) beside replicated setups")(
      "paper-numbers", po::value<std::string>()->default_value(""),
      "CSV of published numbers you bring (reports/README.md), implies --paper")(
      "pdf", po::bool_switch(), "fail when pdflatex is missing (default: compile when present)")(
      "no-pdf", po::bool_switch(), "write .tex/.csv/.md only")(
      "jobs", po::value<int>()->default_value(0), "pdflatex processes at a time (0 = cores)");
  const auto vm = parse_args("report", args, opts, "results");
  if (!vm.count("out")) throw ConfigError("kdbench report: missing --out DIR");
  if (vm["pdf"].as<bool>() && vm["no-pdf"].as<bool>())
    throw ConfigError("kdbench report: --pdf and --no-pdf exclude each other");
  if (vm["jobs"].as<int>() < 0) throw ConfigError("kdbench report: --jobs must be >= 0");
  reports::ReportOptions ro;
  ro.results_path = vm["results"].as<std::string>();
  ro.out_dir = vm["out"].as<std::string>();
  ro.metric = vm["metric"].as<std::string>();
  ro.teachers = split_ws(vm["teachers"].as<std::string>());
  ro.students = split_ws(vm["students"].as<std::string>());
  ro.methods = split_ws(vm["methods"].as<std::string>());
  ro.paper = vm["paper"].as<bool>();
  ro.paper_numbers_path = vm["paper-numbers"].as<std::string>();
  ro.require_pdf = vm["pdf"].as<bool>();
  ro.compile_pdf = !vm["no-pdf"].as<bool>();
  ro.jobs = vm["jobs"].as<int>();
  const auto summary = reports::write_report(ro);
  for (const auto& m : summary.messages) std::cerr << "kdbench report: " << m << "\n";
  std::cout << "report of " << summary.runs << " runs (" << summary.done << " done):\n";
  for (const auto& f : summary.files) std::cout << "  " << f << "\n";
  return 0;
}

}  // namespace kdbench::cli
