// `kdbench status RESULTS`: one line per run and the counts per status, from the file alone;
// then, when the coordinator's progress file <RESULTS>.progress.json exists, the job's state, ETA
// and running tasks from it (or how old it is, for a job that is gone).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "commands.h"
#include "kdbench/results/results_store.h"
#include "kdbench/sched/progress_report.h"
#include "parse_args.h"

namespace kdbench::cli {
namespace {

void print_progress(const std::string& results_path) {
  const std::string path = results_path + ".progress.json";
  if (!std::filesystem::exists(path)) return;
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::vector<std::string> lines;
  try {
    std::ifstream in(path);
    lines = sched::describe_progress(nlohmann::json::parse(in), now);
  } catch (const std::exception& e) {
    // The runs above are the results; a damaged side file only loses the ETA.
    std::cout << path << ": unreadable (" << e.what() << ")\n";
    return;
  }
  for (const auto& line : lines) std::cout << line << "\n";
}

}  // namespace

int cmd_status(const Args& args) {
  po::options_description opts;
  const auto vm = parse_args("status", args, opts, "results");
  const std::string results_path = vm["results"].as<std::string>();
  const auto store = results::ResultsStore::open_read_only(results_path);
  const auto records = store.read_all();
  std::map<std::string, int> counts;
  std::printf("%-24s %-8s %-9s %-13s %-10s %4s %-11s %8s %8s\n", "key", "kind", "model", "method",
              "teacher", "seed", "status", "test@val", "seconds");
  for (const auto& r : records) {
    const std::string status = results::to_string(r.status);
    ++counts[status];
    std::printf("%-24s %-8s %-9s %-13s %-10s %4lld %-11s %8.2f %8.1f%s%s\n", r.key.c_str(),
                r.kind.c_str(), r.model.c_str(), r.method.empty() ? "-" : r.method.c_str(),
                r.teacher_model.empty() ? "-" : r.teacher_model.c_str(),
                static_cast<long long>(r.seed), status.c_str(),
                // A pretrain run has no test split: its validation masked-LM accuracy.
                100 * (r.kind == "pretrain" ? r.best_val_acc : r.test_acc_at_best_val),
                r.wall_seconds, r.error.empty() ? "" : "  ", r.error.c_str());
  }
  std::cout << records.size() << " runs:";
  for (const auto& [s, n] : counts) std::cout << " " << n << " " << s;
  std::cout << "\n";
  print_progress(results_path);
  return 0;
}

}  // namespace kdbench::cli
