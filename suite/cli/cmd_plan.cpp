// `kdbench plan GRID`: every task with its key, dependencies, parameter count and cost estimate,
// and its status in the results file when one exists. Trains nothing, writes nothing.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "commands.h"
#include "kdbench/core/strings.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/results/results_store.h"
#include "parse_args.h"

namespace kdbench::cli {
namespace {

// Sustained training throughput of one CPU core on these small CNNs (forward multiply-adds per
// second), measured with bench/ on the development machine; only scales the estimate.
constexpr double kCoreMacsPerSecond = 4e9;

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

int cmd_plan(const Args& args) {
  po::options_description opts;
  opts.add_options()("results", po::value<std::string>()->default_value(""),
                     "results file to read statuses from");
  const auto vm = parse_args("plan", args, opts, "grid");
  auto spec = grid::parse_grid_file(vm["grid"].as<std::string>());
  if (!vm["results"].as<std::string>().empty()) spec.results = vm["results"].as<std::string>();
  const auto graph = grid::expand(spec);

  std::map<std::string, results::Status> statuses;
  if (std::filesystem::exists(spec.results))
    statuses = results::ResultsStore::open_read_only(spec.results).statuses();

  std::cout << "grid " << spec.name << " (" << spec.path << "): " << graph.tasks.size()
            << " tasks, dataset " << spec.dataset << ", results " << spec.results << "\n";
  std::printf("%-24s %-8s %-9s %-13s %-10s %4s %6s %11s %9s %-8s %s\n", "key", "kind", "model",
              "method", "teacher", "seed", "epochs", "params", "cost(TMAC)", "status",
              "depends on");
  double total = 0;
  for (const auto& t : graph.tasks) {
    total += t.cost;
    auto it = statuses.find(t.key);
    const std::string status = it == statuses.end() ? "-" : results::to_string(it->second);
    std::printf("%-24s %-8s %-9s %-13s %-10s %4lld %6d %11s %9s %-8s %s\n", t.key.c_str(),
                t.kind.c_str(), t.model.c_str(), t.method.empty() ? "-" : t.method.c_str(),
                t.teacher_model.empty() ? "-" : t.teacher_model.c_str(),
                static_cast<long long>(t.seed), t.total_epochs,
                with_thousands(t.params_count).c_str(), fmt("%.2f", t.cost / 1e12).c_str(),
                status.c_str(), t.deps.empty() ? "-" : join(t.deps, ",").c_str());
  }
  for (const auto& [id, choice] : graph.choices) {
    std::cout << "takd auto, " << id << ": one of";
    for (const auto& c : choice.candidates) std::cout << " " << c.model;
    std::cout << " (no-KD val accuracy closest to the mean of teacher and student; the other "
                 "alternatives are "
                 "dropped)\n";
  }
  std::map<std::string, int> gangs;  // "teacher resnet110" -> ranks
  for (const auto& t : graph.tasks)
    if (t.gang_size > 1) gangs[t.kind + " " + t.model] = t.gang_size;
  if (!gangs.empty()) {
    std::cout << "gangs (ranks per task, at most the job's ranks):";
    for (const auto& [what, k] : gangs) std::cout << " " << what << "=" << k;
    std::cout << "\n";
  }
  for (const auto& m : spec.methods) {
    const auto& any = *std::find_if(graph.tasks.begin(), graph.tasks.end(),
                                    [&](const grid::Task& t) { return t.method == m; });
    std::cout << "method " << m << " (" << any.method_variant
              << "): " << any.method_params_resolved.dump() << "\n";
  }
  std::cout << "total cost " << fmt("%.2f", total / 1e12) << " TMAC ≈ "
            << fmt("%.1f", total / kCoreMacsPerSecond / 3600) << " core-hours on CPU (nominal "
            << fmt("%.0f", kCoreMacsPerSecond / 1e9) << " GMAC/s per core"
            << (graph.choices.empty() ? "" : "; counts every TAKD auto alternative") << ")\n";
  return 0;
}

}  // namespace kdbench::cli
