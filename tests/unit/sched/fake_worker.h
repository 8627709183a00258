#pragma once
// A worker that speaks the real protocol (kdbench/sched/protocol.h) but trains nothing: it answers
// each assigned task with a synthetic record chosen by the test (DONE, FAILED, INTERRUPTED), and
// journals what it was given and what it answered, so a test can check the coordinator's
// decisions (order, dependencies, what was never assigned) from the outside.
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "kdbench/comm/communicator.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/results/artifacts.h"
#include "kdbench/results/results_store.h"
#include "kdbench/results/run_record.h"
#include "kdbench/sched/coordinator.h"

namespace kdbench::sched_test {

// The record a fake worker sends back for `task` (its key, kind, ... filled in by the helpers).
using Answer = std::function<results::RunRecord(const grid::Task& task, int rank)>;

struct Event {
  enum Kind { Assigned, Answered } kind;
  int rank;
  std::string key;
  results::Status status;  // of the answer
  std::vector<int> gang;   // Assigned to a gang: its world ranks, root first; {} for one rank
  std::vector<std::string> fused = {};  // Assigned in a fused group: its keys in order; {} alone
};

// Events of every fake worker in one order: an answer is journaled before it is sent, so a task
// assigned because of that answer always comes after it.
class Journal {
 public:
  void add(Event e);
  std::vector<Event> events() const;
  size_t assignments() const;

 private:
  mutable std::mutex mu_;
  std::vector<Event> events_;
};

// Records as the real worker would send them: task_record(task) plus status and results.
// DONE with one curve entry per value of val_acc (best_val_acc = its maximum).
results::RunRecord done_record(const grid::Task& task, const std::vector<double>& val_acc = {0.5});
results::RunRecord failed_record(const grid::Task& task, const std::string& error);
results::RunRecord interrupted_record(const grid::Task& task);

// Called between a task's assignment and its answer, on the worker's thread: a test sends what a
// real worker sends meanwhile (progress messages, kdbench/sched/protocol.h) and may wait on the
// journal for what the coordinator does with them.
using BeforeAnswer =
    std::function<void(const grid::Task& task, comm::Communicator& comm, const Journal& journal)>;

// The worker loop without training: "ready", then one answer per task until "stop" (a gang's root
// answers with the record, its other members with member_done, as the real worker; a fused group
// is answered with every member's record in one fused_result). Returns the
// exit code the stop message carried. A coordinator that reassigns without end (a bug) must not
// hang the test: past 10 assignments per task the answer is FAILED, which is never reassigned.
int fake_worker(comm::Communicator& comm, const grid::TaskGraph& graph, const Answer& answer,
                Journal& journal, const BeforeAnswer& before = {});

struct GridRun {
  int coordinator_code = -1;
  std::vector<int> worker_codes;  // by rank
  std::vector<Event> events;
  std::vector<std::string> assigned() const;
};

// The real Coordinator on ranks[0] in its own thread (as run_grid starts it), a fake worker on
// every rank. An exception from the coordinator stops the workers and is rethrown.
GridRun run_with_fake_workers(const grid::TaskGraph& graph, results::ResultsStore& store,
                              const results::Artifacts& artifacts,
                              const std::vector<comm::Communicator*>& ranks, const Answer& answer,
                              sched::FailurePolicy policy = {},
                              sched::SchedulerOptions options = {},
                              const BeforeAnswer& before = {});

}  // namespace kdbench::sched_test
