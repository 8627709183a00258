#pragma once
// Scheduling numbers from a cost model (docs/design.md §3.6): the dispatch policies, each task's
// remaining critical path, and a list-scheduling estimate of a grid's makespan on N ranks
// (`kdbench plan --ranks`, the coordinator's ETA bound). Everything is O((tasks + edges) log
// tasks): a 10,000-task grid takes milliseconds.
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "kdbench/grid/task_graph.h"

namespace kdbench::sched {

// Order of the ready tasks: fifo = grid order; static = longest remaining critical path in
// multiply-accumulates (grid::Task::cost); refined = longest remaining critical path in estimated
// seconds (CostModel, refined from measured epochs). Gang reservation applies to all three.
enum class Policy { Fifo, Static, Refined };
Policy policy_named(const std::string& name);  // ConfigError naming the allowed names
std::string name_of(Policy p);

// Seconds of graph.tasks[i] on its gang (the caller clamps gangs to the job's ranks).
using TaskSeconds = std::function<double(const grid::Task&)>;

// Per task (graph.tasks order): its duration plus the longest chain of durations after it.
std::vector<double> critical_path_seconds(const grid::TaskGraph& graph,
                                          const std::vector<double>& duration);

// Dispatch priority per task (graph.tasks order; higher first) under `policy`; `duration` is
// read only by Refined.
std::vector<double> priorities(const grid::TaskGraph& graph, Policy policy,
                               const std::vector<double>& duration);

struct ScheduleEstimate {
  double work_rank_seconds = 0;  // sum over tasks of duration × gang ranks
  double critical_path = 0;      // longest chain of durations
  double lower_bound = 0;        // max(critical_path, work / ranks)
  double makespan = 0;           // list schedule: greedy, priority order, gang reservation
  size_t tasks = 0;              // tasks scheduled (not already done)
};

// Simulates the coordinator's dispatch (strict priority; a gang that does not fit holds every
// idle rank until it does) with exact durations. Tasks in `done` take no time.
ScheduleEstimate estimate_schedule(const grid::TaskGraph& graph, int ranks, Policy policy,
                                   const TaskSeconds& seconds,
                                   const std::set<std::string>& done = {});

}  // namespace kdbench::sched
