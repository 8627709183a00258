// `kdbench report RESULTS --out DIR`: the paper's tables from the results file alone.
#include <iostream>

#include "reports/report.h"
#include "suite/cli/commands.h"
#include "suite/cli/parse_args.h"
#include "suite/core/errors.h"

namespace kdbench::cli {

int cmd_report(const Args& args) {
  po::options_description opts;
  opts.add_options()("out", po::value<std::string>(), "output directory")(
      "metric", po::value<std::string>()->default_value("test_at_best_val"),
      "test_at_best_val | best_val | final_test | best_test")(
      "pdf", po::bool_switch(), "also run pdflatex on DIR/report.tex");
  const auto vm = parse_args("report", args, opts, "results");
  if (!vm.count("out")) throw ConfigError("kdbench report: missing --out DIR");
  reports::ReportOptions ro;
  ro.results_path = vm["results"].as<std::string>();
  ro.out_dir = vm["out"].as<std::string>();
  ro.metric = vm["metric"].as<std::string>();
  ro.compile_pdf = vm["pdf"].as<bool>();
  const auto summary = reports::write_report(ro);
  std::cout << "report of " << summary.runs << " runs (" << summary.done << " done):\n";
  for (const auto& f : summary.files) std::cout << "  " << f << "\n";
  return 0;
}

}  // namespace kdbench::cli
