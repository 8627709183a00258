#pragma once
// A scheduler simulator (bench/README.md, "Scheduler at cluster scale"): the real
// sched::Coordinator, with its real results file, faces simulated workers in virtual time. The
// coordinator's Communicator is a discrete-event queue: each receive returns the next worker
// message in virtual time, and a task sent to a rank comes back as its result after the task's
// simulated duration. Nothing trains; one thread; the coordinator's own work is measured in wall
// and CPU time per message it handles.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kdbench/grid/task_graph.h"
#include "kdbench/results/run_record.h"
#include "kdbench/sched/cost_model.h"
#include "kdbench/sched/schedule_estimate.h"

namespace kdbench::schedsim {

struct SimOptions {
  int ranks = 8;
  sched::Policy policy = sched::Policy::Refined;
  // Throughput of one rank: a task of cost C (multiply-accumulates, grid::Task::cost) trains for
  // C / macs_per_second seconds on one rank, C / (k * macs_per_second) on a gang of k — the cost
  // model's CPU prior by default — times its model's factor and the noise below.
  double macs_per_second = sched::kCpuMacsPerSecond;
  // How far each model's true speed is from the prior (what refinement has to learn): a factor
  // exp(model_spread * u), u uniform in [-1, 1] per model name and seed. 0: the prior is exact.
  double model_spread = 0.5;
  double noise = 0.1;  // each duration is scaled by 1 + noise * u, u uniform in [-1, 1]
  uint64_t seed = 1;
};

// One rank's share of a dispatched task, in virtual seconds.
struct Assignment {
  int rank = -1;
  std::string key;
  std::vector<int> gang;  // world ranks of the task's gang, root first; {} for one rank
  double start = 0, end = 0;
};

struct SimResult {
  std::vector<Assignment> assignments;              // in the order the coordinator sent them
  std::map<std::string, results::Status> statuses;  // the results file at the end
  int exit_code = -1;
  double makespan = 0;                 // virtual seconds until the last task finished
  double busy_rank_seconds = 0;        // sum over assignments of end - start
  double lower_bound = 0;              // max(critical path, work / ranks) of the tasks that ran
  std::vector<double> handle_seconds;  // wall time the coordinator took per message
  // The same for the messages that carried a task's result (record it, unblock its dependents,
  // dispatch): the others ("ready", a gang member free again) only dispatch.
  std::vector<double> result_handle_seconds;
  double coordinator_cpu_seconds = 0;  // CPU time of that handling, all messages together
};

// Runs `graph` to the end on opts.ranks simulated ranks; the results file and artifacts go under
// work_dir (created; left there). Every task succeeds.
SimResult simulate(const grid::TaskGraph& graph, const SimOptions& opts,
                   const std::string& work_dir);

// Seconds `task` trains on a gang of `gang` ranks under `opts` (deterministic per key and seed).
double task_seconds(const grid::Task& task, int gang, const SimOptions& opts);

}  // namespace kdbench::schedsim
