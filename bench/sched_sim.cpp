// kdbench_sched_sim: the real coordinator scheduling a grid on simulated ranks
// (kdbench/schedsim/simulate.h). Per rank count and policy, one markdown table row: tasks run,
// makespan, the lower bound max(critical path, work / ranks), efficiency = bound / makespan, idle
// rank-hours, the wall time the coordinator spent per task result (p50, p99; max over every
// message), its CPU time over all messages, and that CPU time as a share of one core over the
// simulated makespan (what the coordinator thread would cost the real job).
//
// usage: kdbench_sched_sim --grid G.ini [--grid ...] [--ranks 8,64,512,4096] [--seeds N]
//          [--teacher-seeds N] [--set section.key=value ...] [--noise 0.1] [--seed 1]
//          [--macs-per-second 1.5e9] [--model-spread 0.5] [--policy fifo,static,refined]
// --seeds/--teacher-seeds widen a grid to seeds 1..N; --set replaces (or adds) one ini value.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench_stats.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/log.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/schedsim/simulate.h"

namespace {

using kdbench::bench::BenchArgs;
using kdbench::bench::usage_error;

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  const auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

// The ini text with `key` of [section] set to `value`: its line replaced, else a line added
// under the section's header (the section added at the end when missing).
std::string with_value(const std::string& text, const std::string& section, const std::string& key,
                       const std::string& value) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string current;
  size_t header = lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string t = trimmed(lines[i]);
    if (!t.empty() && t.front() == '[') {
      current = t.substr(1, t.find(']') - 1);
      if (current == section && header == lines.size()) header = i;
      continue;
    }
    const auto eq = t.find('=');
    if (current == section && eq != std::string::npos && trimmed(t.substr(0, eq)) == key) {
      lines[i] = key + " = " + value;
      return joined(lines);
    }
  }
  if (header == lines.size()) lines.push_back("[" + section + "]");
  lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(header + 1), key + " = " + value);
  return joined(lines);
}

std::string one_to(long n) {
  std::string s;
  for (long i = 1; i <= n; ++i) s += (i > 1 ? " " : "") + std::to_string(i);
  return s;
}

std::vector<int> rank_counts(const std::string& program, const std::string& list) {
  std::vector<int> counts;
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ',');) {
    char* end = nullptr;
    const long n = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end || n < 1 || n > 1'000'000)
      usage_error(program, "--ranks: '" + item + "' is not a rank count (1..1000000)");
    counts.push_back(static_cast<int>(n));
  }
  return counts;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

double number(const BenchArgs& args, const std::string& name, double fallback) {
  const std::string text = args.text(name, "");
  if (text.empty()) return fallback;
  char* end = nullptr;
  const double x = std::strtod(text.c_str(), &end);
  if (*end || !(x >= 0)) usage_error(args.program(), "--" + name + ": '" + text + "' is not >= 0");
  return x;
}

int run(int argc, char** argv) {
  const BenchArgs args(argc, argv, "kdbench_sched_sim",
                       {"grid", "ranks", "seeds", "teacher-seeds", "set", "noise", "seed",
                        "macs-per-second", "model-spread", "policy"});
  const auto grids = args.all("grid");
  if (grids.empty()) usage_error(args.program(), "--grid is required");
  kdbench::schedsim::SimOptions opts;
  opts.noise = number(args, "noise", 0.1);
  opts.seed = static_cast<uint64_t>(args.positive("seed", 1));
  opts.macs_per_second = number(args, "macs-per-second", opts.macs_per_second);
  opts.model_spread = number(args, "model-spread", opts.model_spread);
  std::vector<kdbench::sched::Policy> policies;
  {
    std::stringstream ss(args.text("policy", "fifo,static,refined"));
    for (std::string name; std::getline(ss, name, ',');) {
      try {
        policies.push_back(kdbench::sched::policy_named(name));
      } catch (const kdbench::ConfigError& e) {
        usage_error(args.program(), std::string("--policy: ") + e.what());
      }
    }
  }
  spdlog::set_level(spdlog::level::warn);  // the coordinator's per-task progress lines
  std::cout << "| grid | tasks run | ranks | policy | makespan h | bound h | efficiency "
               "| idle rank-h | result p50 µs | p99 µs | max ms | coordinator CPU s "
               "| % of a core | sim wall s |\n"
               "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& path : grids) {
    std::string text = kdbench::grid::read_grid_file(path);
    std::string name = std::filesystem::path(path).stem().string();
    if (!args.text("seeds", "").empty())
      text = with_value(text, "grid", "seeds", one_to(args.positive("seeds", 1)));
    if (!args.text("teacher-seeds", "").empty())
      text = with_value(text, "grid", "teacher_seeds", one_to(args.positive("teacher-seeds", 1)));
    for (const auto& setting : args.all("set")) {
      const auto eq = setting.find('=');
      const auto dot = eq == std::string::npos ? eq : setting.rfind('.', eq);  // method.takd.x
      if (dot == std::string::npos)
        usage_error(args.program(), "--set: '" + setting + "' is not section.key=value");
      text = with_value(text, setting.substr(0, dot), setting.substr(dot + 1, eq - dot - 1),
                        setting.substr(eq + 1));
    }
    const auto spec = kdbench::grid::parse_grid_text(text, path, {false});
    const auto graph = kdbench::grid::expand(spec);
    for (int ranks : rank_counts(args.program(), args.text("ranks", "8,64,512,4096")))
      for (const auto policy : policies) {
        opts.ranks = ranks;
        opts.policy = policy;
        const auto dir = std::filesystem::temp_directory_path() /
                         ("kdbench-sched-sim-" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        const auto t0 = std::chrono::steady_clock::now();
        const auto r = kdbench::schedsim::simulate(graph, opts, dir.string());
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::filesystem::remove_all(dir);
        std::set<std::string> ran;
        for (const auto& a : r.assignments) ran.insert(a.key);
        char row[512];
        std::snprintf(
            row, sizeof row,
            "| %s | %zu | %d | %s | %.3g | %.3g | %.3f | %.3g | %.0f | %.0f | %.1f | %.2f | %.3f "
            "| %.1f |\n",
            name.c_str(), ran.size(), ranks, kdbench::sched::name_of(policy).c_str(),
            r.makespan / 3600, r.lower_bound / 3600, r.lower_bound / r.makespan,
            (ranks * r.makespan - r.busy_rank_seconds) / 3600,
            1e6 * percentile(r.result_handle_seconds, 0.5),
            1e6 * percentile(r.result_handle_seconds, 0.99),
            1e3 * percentile(r.handle_seconds, 1.0), r.coordinator_cpu_seconds,
            100 * r.coordinator_cpu_seconds / r.makespan, wall);
        std::cout << row << std::flush;
        if (r.exit_code != 0)
          std::cerr << name << ": coordinator exit code " << r.exit_code << "\n";
      }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const kdbench::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "kdbench_sched_sim: " << e.what() << "\n";
    return 1;
  }
}
