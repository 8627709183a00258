#include "kdbench/sched/schedule_estimate.h"

#include <algorithm>
#include <queue>
#include <tuple>

#include "kdbench/core/errors.h"

namespace kdbench::sched {

Policy policy_named(const std::string& name) {
  if (name == "fifo") return Policy::Fifo;
  if (name == "static") return Policy::Static;
  if (name == "refined") return Policy::Refined;
  throw ConfigError("scheduling policy '" + name + "' is unknown (allowed: fifo, static, refined)");
}

std::string name_of(Policy p) {
  switch (p) {
    case Policy::Fifo:
      return "fifo";
    case Policy::Static:
      return "static";
    case Policy::Refined:
      break;
  }
  return "refined";
}

std::vector<double> critical_path_seconds(const grid::TaskGraph& graph,
                                          const std::vector<double>& duration) {
  // Dependencies precede dependents in graph.tasks: one reverse pass (as TaskGraph's).
  std::vector<double> longest(duration);
  for (size_t i = graph.tasks.size(); i-- > 0;)
    for (const auto& dep : graph.tasks[i].deps) {
      const size_t d = graph.index.at(dep);
      longest[d] = std::max(longest[d], duration[d] + longest[i]);
    }
  return longest;
}

std::vector<double> priorities(const grid::TaskGraph& graph, Policy policy,
                               const std::vector<double>& duration) {
  const size_t n = graph.tasks.size();
  if (policy == Policy::Fifo) {
    std::vector<double> p(n);
    for (size_t i = 0; i < n; ++i) p[i] = -static_cast<double>(i);
    return p;
  }
  if (policy == Policy::Refined) return critical_path_seconds(graph, duration);
  std::vector<double> macs(n);
  for (size_t i = 0; i < n; ++i) macs[i] = graph.tasks[i].cost;
  return critical_path_seconds(graph, macs);
}

ScheduleEstimate estimate_schedule(const grid::TaskGraph& graph, int ranks, Policy policy,
                                   const TaskSeconds& seconds, const std::set<std::string>& done) {
  const size_t n = graph.tasks.size();
  ranks = std::max(1, ranks);
  std::vector<double> dur(n, 0);
  std::vector<int> gang(n, 1), unfinished(n, 0);
  std::vector<std::vector<size_t>> dependents(n);
  ScheduleEstimate e;
  for (size_t i = 0; i < n; ++i) {
    const auto& t = graph.tasks[i];
    gang[i] = std::clamp(t.gang_size, 1, ranks);
    if (done.count(t.key)) continue;
    dur[i] = seconds(t);
    e.work_rank_seconds += dur[i] * gang[i];
    ++e.tasks;
    for (const auto& d : t.deps) {
      dependents[graph.index.at(d)].push_back(i);
      unfinished[i] += done.count(d) ? 0 : 1;
    }
  }
  const auto cp = critical_path_seconds(graph, dur);
  for (size_t i = 0; i < n; ++i)
    if (!done.count(graph.tasks[i].key)) e.critical_path = std::max(e.critical_path, cp[i]);
  e.lower_bound = std::max(e.critical_path, e.work_rank_seconds / ranks);

  const auto prio = policy == Policy::Refined ? cp : priorities(graph, policy, dur);
  // As the coordinator's ready set: priority descending, then key.
  std::set<std::tuple<double, const std::string*, size_t>,
           bool (*)(const std::tuple<double, const std::string*, size_t>&,
                    const std::tuple<double, const std::string*, size_t>&)>
      ready([](const auto& a, const auto& b) {
        if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) < std::get<0>(b);
        return *std::get<1>(a) < *std::get<1>(b);
      });
  const auto make_ready = [&](size_t i) { ready.emplace(-prio[i], &graph.tasks[i].key, i); };
  for (size_t i = 0; i < n; ++i)
    if (!done.count(graph.tasks[i].key) && unfinished[i] == 0) make_ready(i);
  using End = std::pair<double, size_t>;  // (time, task)
  std::priority_queue<End, std::vector<End>, std::greater<End>> running;
  int idle = ranks;
  double now = 0;
  while (true) {
    while (!ready.empty() && gang[std::get<2>(*ready.begin())] <= idle) {
      const size_t i = std::get<2>(*ready.begin());
      ready.erase(ready.begin());
      idle -= gang[i];
      running.emplace(now + dur[i], i);
    }
    if (running.empty()) break;  // nothing runs, so nothing is left (gangs fit the world)
    const auto [end, i] = running.top();
    running.pop();
    now = end;
    e.makespan = std::max(e.makespan, end);
    idle += gang[i];
    for (size_t d : dependents[i])
      if (--unfinished[d] == 0) make_ready(d);
  }
  return e;
}

}  // namespace kdbench::sched
