#pragma once
// The coordinator (rank 0, own thread): owns the DAG state and the results file. It hands ready
// tasks to idle workers by priority (longest remaining critical path in estimated seconds first,
// so teachers that unblock many students start early; a gang task waits for gang_size idle ranks,
// reserving them; SchedulerOptions::policy),
// records every result as it arrives (RUNNING at assignment, DONE/FAILED at the end, file flushed
// each time) and stops the workers when nothing is left. TAKD auto choices are made here, as soon
// as the baselines they read are DONE. Pipelining ([grid] pipeline, docs/design.md §3.6): a
// student of teacher checkpoint k becomes ready as soon as the teacher's checkpoint k is sealed on
// disk (reported by the teacher's progress message, or left intact by an earlier job), not only
// when the whole teacher is DONE.
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kdbench/comm/communicator.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/results/artifacts.h"
#include "kdbench/results/results_store.h"
#include "kdbench/sched/assistant_choice.h"
#include "kdbench/sched/cost_model.h"
#include "kdbench/sched/schedule_estimate.h"
#include "kdbench/sched/stall_inspector.h"

namespace kdbench::sched {

// [grid] retries and on_failure (docs/design.md §3.7). A failed task goes back to the queue up to
// `retries` times in one job unless its record says the failure is deterministic
// (config.failure.deterministic, e.g. a non-finite loss); stop_on_failure: after a task stays
// FAILED nothing new starts, running tasks finish, the job exits 1.
struct FailurePolicy {
  int retries = 1;
  bool stop_on_failure = false;
  static FailurePolicy of(const grid::GridSpec& grid);
};

// Why `tasks` (the first a ready task, the others ready after it) cannot be trained as one fused
// group; "" when they can (train::fuse_refusal against the grid's data, without loading it).
using FuseCheck = std::function<std::string(const std::vector<const grid::Task*>& tasks)>;
FuseCheck fuse_check_of(const grid::GridSpec& grid);

// How the coordinator orders work and watches it (docs/design.md §3.6).
struct SchedulerOptions {
  Policy policy = Policy::Refined;
  std::string device_kind = "cpu";  // the cost model's prior until results name their device
  double stall_factor = 3;          // [grid] stall_factor
  bool pipeline = true;             // [grid] pipeline: students start from sealed checkpoints
  int fuse = 1;                     // [grid] fuse: tasks per fused group; 1 = off
  FuseCheck fuse_check;             // needed when fuse > 1
  double silence_floor_seconds = 600;
  double inspect_every_seconds = 30;
  // The progress file <results>.progress.json: rewritten at a result at most once a second, and
  // every progress_every_seconds otherwise; never when write_progress is false.
  bool write_progress = true;
  double progress_every_seconds = 5;
  std::function<double()> clock;  // monotonic seconds; steady_clock when empty (tests inject)
  static SchedulerOptions of(const grid::GridSpec& grid);
};

class Coordinator {
 public:
  Coordinator(const grid::TaskGraph& graph, results::ResultsStore& store,
              const results::Artifacts& artifacts, comm::Communicator& comm,
              FailurePolicy policy = {}, SchedulerOptions options = {});
  // Runs until every worker was told to stop; returns the process exit code for the job.
  int run();

  // State after initialisation from the results file (for tests and `kdbench plan`).
  const std::set<std::string>& done() const { return done_; }
  const std::set<std::string>& pending() const { return pending_; }
  // TAKD auto: alternatives not chosen (never run, never recorded) and the decisions made.
  const std::set<std::string>& dropped() const { return dropped_; }
  const std::map<std::string, AssistantDecision>& decisions() const { return decisions_; }
  const CostModel& cost_model() const { return cost_; }
  // Estimated seconds until every pending and running task is done: the remaining work over the
  // ranks, at least the remaining critical path (docs/design.md §3.6).
  double eta_seconds() const;
  std::string progress_path() const { return store_.path() + ".progress.json"; }
  // From progress messages: per rank, when (steady clock, seconds) it last reported an epoch;
  // per task, the last epoch it reported (its latest attempt's).
  const std::map<int, double>& last_report() const { return last_report_; }
  const std::map<std::string, int>& latest_epoch() const { return latest_epoch_; }

 private:
  void load_state();
  bool artifacts_present(const grid::Task& teacher) const;
  bool record_finished_state(const grid::Task& t);
  void forget_finished_state(const std::string& key) const;
  void handle_result(int source, const nlohmann::json& record_json);
  void handle_failure(const results::RunRecord& rec, const grid::Task& t);
  void fail_dependents(const std::string& key, const std::string& reason);
  void dispatch();
  void start(const std::string& key, const std::vector<int>& ranks);
  // Fused groups (coordinator_fuse.cpp): the ready tasks trained with `first` on one rank
  // ({first} alone when it fuses with none), and their start on `rank`.
  std::vector<std::string> fused_group(const std::string& first) const;
  void start_fused(const std::vector<std::string>& keys, int rank);
  void handle_fused_result(int source, const nlohmann::json& records);
  void record_result(results::RunRecord rec);
  // Ranks a task runs on: its gang_size, at most the world.
  int gang_size(const grid::Task& t) const;
  void warn_clamped_gangs() const;
  void stop_idle_workers_if_finished();
  int exit_code() const;
  void log_progress(const std::string& what, const grid::Task& task);
  // eta_seconds(), recomputed at most once a second: it is O(running + ready), and thousands of
  // results a second arrive at cluster scale.
  double recent_eta();
  // Cost model: durations, critical paths and priorities from it (coordinator_estimates.cpp).
  void learn(const grid::Task& t, const results::RunRecord& rec);
  void refresh_estimates();
  void refresh_if_estimates_moved();
  void inspect(double now);
  void write_progress(const std::string& state);
  void maybe_write_progress(double min_interval);
  double now() const { return options_.clock(); }
  double priority(const std::string& key) const { return priority_[graph_.index.at(key)]; }
  size_t index_of(const std::string& key) const { return graph_.index.at(key); }
  // pending_ and done_ change only through these, which keep ready_ and unfinished_deps_ in step.
  void add_pending(const std::string& key);
  void remove_pending(const std::string& key);
  void mark_done(const std::string& key);
  void index_readiness();
  void release_edge(const std::string& dependent);
  // Pipelining (coordinator_pipeline.cpp). checkpoint_edge: the teacher epoch whose sealed
  // checkpoint lets `task` start before `dep` is DONE, or -1 when `dep` must be DONE (pipelining
  // off, a final-weights or TAKD-auto edge, Pro-KD's walk over the whole trajectory).
  void handle_progress(int source, const nlohmann::json& progress);
  int checkpoint_edge(const grid::Task& task, const std::string& dep) const;
  bool edge_released_early(const std::string& task, const std::string& dep) const;
  void index_checkpoint_edges();
  void find_sealed_checkpoints();
  void checkpoint_sealed(const std::string& teacher, int epoch);
  void resolve_choices();
  void annotate(results::RunRecord& rec, const grid::Task& t) const;
  size_t task_count() const { return graph_.tasks.size() - dropped_.size(); }

  const grid::TaskGraph& graph_;
  results::ResultsStore& store_;
  const results::Artifacts& artifacts_;
  comm::Communicator& comm_;
  SchedulerOptions options_;
  CostModel cost_;
  // Per task (graph_.tasks order), as of the last refresh: estimated seconds on its gang, the
  // critical path from it in those seconds, and the dispatch priority under options_.policy.
  std::vector<double> duration_, critical_path_, priority_;
  std::vector<std::string> models_;   // distinct models of the graph
  std::vector<double> model_scales_;  // their cost-model scales at the last refresh
  double pending_work_ = 0;           // sum over pending tasks of duration × gang ranks
  int refreshes_ = 0;
  uint64_t seen_model_version_ = 0;
  std::string estimates_kind_;  // the device kind duration_ was computed for
  bool progress_write_failed_ = false;
  double eta_ = 0, eta_time_ = -1e300;
  struct Running {
    std::vector<int> ranks;
    double since = 0;
    std::string started;  // UTC
    size_t index = 0;     // in graph_.tasks
  };
  std::map<std::string, Running> running_at_;
  StallInspector inspector_;
  double last_inspection_ = 0, last_progress_write_ = -1e300;
  std::map<std::string, std::vector<std::string>> dependents_;  // built once from graph_
  std::set<std::string> done_, failed_, pending_, running_, dropped_;
  // Pending tasks whose dependencies are all DONE, in dispatch order: (-priority, key), i.e.
  // longest remaining critical path first, ties by key. A finished task updates its dependents'
  // counts of unfinished dependencies, so nothing is rescanned per message.
  std::set<std::pair<double, std::string>> ready_;
  std::map<std::string, int> unfinished_deps_;
  std::map<std::string, AssistantDecision> decisions_;  // by AssistantChoice id
  FailurePolicy policy_;
  // Students by the (teacher, epoch) checkpoint they start from; built once from graph_.
  std::map<std::string, std::map<int, std::vector<std::string>>> checkpoint_dependents_;
  // Checkpoints of teachers not DONE (when seen) that are sealed on disk: their edges released.
  std::map<std::string, std::set<int>> sealed_checkpoints_;
  std::map<int, double> last_report_;
  std::map<std::string, int> latest_epoch_;
  std::map<std::string, int> epochs_observed_;  // by progress messages, per running task
  bool stopping_ = false;               // dispatch nothing new: a stop signal, or on_failure = stop
  bool interrupted_ = false;            // a stop signal reached this rank or a worker
  std::map<std::string, int> retried_;  // this job's retries by task key
  std::map<std::string, int> attempts_;
  std::deque<int> idle_;
  int stopped_ = 0;
  int next_gang_tag_ = 0;  // Communicator::create_group tag of the last gang dispatched
  double start_time_ = 0;
};

}  // namespace kdbench::sched
