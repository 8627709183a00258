// `kdbench plan GRID [--ranks N] [--device cpu|cuda]`: every task with its key, dependencies,
// parameter count and cost estimate, and its status in the results file when one exists; the
// estimated rank-hours (sched::CostModel, refined from the file's finished runs) and, with
// --ranks, the lower bound and a list-scheduling estimate of the makespan. Trains nothing,
// writes nothing.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "commands.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/results/results_store.h"
#include "kdbench/sched/cost_model.h"
#include "kdbench/sched/progress_report.h"
#include "kdbench/sched/schedule_estimate.h"
#include "parse_args.h"

namespace kdbench::cli {
namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

int rank_count(const std::string& text) {
  char* end = nullptr;
  const long n = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end || n < 1 || n > 1'000'000)
    throw ConfigError("kdbench plan: --ranks: '" + text + "' is not a rank count (1..1000000)");
  return static_cast<int>(n);
}

std::string hours(double seconds) { return fmt("%.3g", seconds / 3600); }

// The estimate lines: total work and, on `ranks` ranks, bound and list-schedule makespan.
void print_estimates(const grid::TaskGraph& graph, const sched::CostModel& cost,
                     const std::map<std::string, results::Status>& statuses, int ranks,
                     int epochs_measured) {
  const std::string kind = cost.device_kind();
  const std::string unit = kind == "cpu" ? "CPU" : "GPU";
  double all_work = 0;
  // Rank-seconds: a gang of k ranks is assumed to take 1/k of one rank's time.
  for (const auto& t : graph.tasks) all_work += cost.seconds(t);
  std::cout << "estimated work " << hours(all_work) << " " << unit << " rank-hours ("
            << (epochs_measured > 0 ? "refined from " + std::to_string(epochs_measured) +
                                          " measured epochs in the results file"
                                    : "prior only")
            << "; " << kind << " prior " << fmt("%.3g", sched::nominal_macs_per_second(kind) / 1e9)
            << " GMAC/s per rank, gangs of k ranks k times faster"
            << (graph.choices.empty() ? "" : "; counts every TAKD auto alternative") << ")\n";
  if (ranks < 1) return;
  std::set<std::string> done;
  for (const auto& [key, status] : statuses)
    if (status == results::Status::Done && graph.contains(key)) done.insert(key);
  const auto e = sched::estimate_schedule(
      graph, ranks, sched::Policy::Refined,
      [&](const grid::Task& t) { return cost.seconds(t, std::clamp(t.gang_size, 1, ranks)); },
      done);
  std::cout << "on " << ranks << " " << unit << " rank(s), " << e.tasks << " task(s) to run ("
            << done.size() << " DONE): critical path " << hours(e.critical_path)
            << " h, work / ranks " << hours(e.work_rank_seconds / ranks) << " h, lower bound "
            << hours(e.lower_bound) << " h; estimated makespan " << hours(e.makespan) << " h ("
            << sched::clock_text(e.makespan)
            << ", list schedule with the coordinator's policy, refined)\n";
}

}  // namespace

int cmd_plan(const Args& args) {
  po::options_description opts;
  opts.add_options()("results", po::value<std::string>()->default_value(""),
                     "results file to read statuses from")(
      "ranks", po::value<std::string>()->default_value(""), "estimate the makespan on N ranks")(
      "device", po::value<std::string>()->default_value("cpu"), "throughput prior: cpu|cuda")(
      "no-data-check", po::bool_switch(),
      "plan without opening the data files (data staged elsewhere, e.g. on the cluster)");
  const auto vm = parse_args("plan", args, opts, "grid");
  const std::string ranks_text = vm["ranks"].as<std::string>();
  const int ranks = ranks_text.empty() ? 0 : rank_count(ranks_text);
  const std::string device = vm["device"].as<std::string>();
  if (device != "cpu" && device != "cuda")
    throw ConfigError("kdbench plan: --device: '" + device +
                      "' is not allowed (allowed: cpu, cuda)");
  // Every other check (keys, values, models, methods) still runs without the data.
  grid::ParseOptions parse;
  parse.check_data_files = !vm["no-data-check"].as<bool>();
  auto spec = grid::parse_grid_file(vm["grid"].as<std::string>(), parse);
  if (!vm["results"].as<std::string>().empty()) spec.results = vm["results"].as<std::string>();
  const auto graph = grid::expand(spec);

  std::map<std::string, results::Status> statuses;
  sched::CostModel cost(device);
  int epochs_measured = 0;
  if (std::filesystem::exists(spec.results)) {
    const auto store = results::ResultsStore::open_read_only(spec.results);
    statuses = store.statuses();
    for (const auto& rec : store.read_all())  // measured epochs refine the estimates
      if (graph.contains(rec.key) && sched::device_kind_of(rec.device) == device)
        epochs_measured += cost.observe_record(graph.at(rec.key), rec);
  }

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
  for (const auto& t : graph.tasks)
    if (t.kind == "pretrain")
      std::cout << "pretrain " << t.model << ": masked-LM, " << spec.pretrain.steps << " steps of "
                << spec.pretrain.train.batch_size << " sequences on "
                << join(spec.pretrain.corpus, " ")
                << " (epochs column: curve points); every task of " << t.model
                << " starts from its encoder " << t.key << "/encoder\n";
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
  std::cout << "total cost " << fmt("%.2f", total / 1e12) << " TMAC\n";
  print_estimates(graph, cost, statuses, ranks, epochs_measured);
  return 0;
}

}  // namespace kdbench::cli
