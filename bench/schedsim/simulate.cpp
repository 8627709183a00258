#include "kdbench/schedsim/simulate.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <queue>
#include <set>
#include <tuple>

#include "kdbench/comm/communicator.h"
#include "kdbench/core/errors.h"
#include "kdbench/results/artifacts.h"
#include "kdbench/results/results_store.h"
#include "kdbench/sched/coordinator.h"
#include "kdbench/sched/protocol.h"
#include "kdbench/train/trainer.h"

namespace kdbench::schedsim {
namespace {

double wall_seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// A number in [0, 1) from a key, a seed and a stream (FNV-1a, then splitmix64's finaliser):
// the same on every platform, unlike std::hash.
double uniform01(const std::string& key, uint64_t seed, uint64_t stream) {
  uint64_t h = 1469598103934665603ull ^ seed;
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  h += 0x9e3779b97f4a7c15ull * (stream + 1);
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  h ^= h >> 31;
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

// What a worker would send for `task`: DONE, with a validation curve at every kept checkpoint and
// the last epoch (TAKD auto reads those accuracies).
results::RunRecord simulated_record(const grid::Task& task, double seconds, uint64_t seed) {
  results::RunRecord r = train::task_record(task);
  r.status = results::Status::Done;
  r.host = "simulated";
  r.device = "cpu";
  r.started = r.finished = results::utc_now();
  r.wall_seconds = seconds;
  std::set<int> epochs(task.keep_checkpoints.begin(), task.keep_checkpoints.end());
  epochs.insert(std::max(1, task.total_epochs));
  for (int e : epochs) {
    r.curves.epoch.push_back(e);
    r.curves.val_acc.push_back(0.5 + 0.4 * uniform01(task.key, seed, static_cast<uint64_t>(e)));
  }
  for (auto* v : {&r.curves.train_loss, &r.curves.train_acc, &r.curves.test_acc, &r.curves.lr})
    v->assign(epochs.size(), 0.25);
  // Per-epoch times (what the coordinator's cost model learns from), one per recorded epoch.
  r.curves.seconds.assign(epochs.size(), seconds / std::max(1, task.total_epochs));
  const auto best = std::max_element(r.curves.val_acc.begin(), r.curves.val_acc.end());
  r.best_val_acc = *best;
  r.best_epoch = r.curves.epoch[static_cast<size_t>(best - r.curves.val_acc.begin())];
  r.test_acc_at_best_val = r.final_test_acc = r.best_test_acc = 0.25;
  return r;
}

// The coordinator's side of the simulated world: rank 0, which receives every worker message in
// virtual-time order. A task sent to a rank schedules that rank's answer at the task's end.
class EventQueueComm : public comm::Communicator {
 public:
  EventQueueComm(const grid::TaskGraph& graph, const SimOptions& opts, SimResult& out)
      : graph_(graph), opts_(opts), out_(out) {
    for (int r = 0; r < opts.ranks; ++r) push(0, r, sched::ready_message());
  }

  std::string backend() const override { return "simulated"; }
  int rank() const override { return 0; }
  int size() const override { return opts_.ranks; }
  int local_size() const override { return 1; }
  int local_rank() const override { return 0; }

  void send(int dest, int tag, const std::string& payload) override {
    if (tag != sched::kToWorker || dest < 0 || dest >= opts_.ranks)
      throw CommError("simulation: unexpected send to rank " + std::to_string(dest));
    const auto msg = nlohmann::json::parse(payload);
    if (msg.at("type") == "stop") return;
    const grid::Task& task = graph_.at(msg.at("key").get<std::string>());
    const std::vector<int> gang = sched::message_gang(msg);
    const double seconds =
        task_seconds(task, std::max<int>(1, static_cast<int>(gang.size())), opts_);
    out_.assignments.push_back({dest, task.key, gang, now_, now_ + seconds});
    // A gang's root reports the task; its other members only that they are free again.
    if (gang.empty() || gang.front() == dest)
      push(now_ + seconds, dest,
           sched::result_message(simulated_record(task, seconds, opts_.seed)));
    else
      push(now_ + seconds, dest, sched::member_done_message(task.key, results::Status::Done));
  }

  comm::Message recv(int tag) override { return *try_recv(tag); }

  // Never empty-handed while the coordinator still waits for a rank: that would be a deadlock.
  std::optional<comm::Message> try_recv(int tag) override {
    end_handling();
    if (tag != sched::kToCoordinator || events_.empty())
      throw CommError("simulation: the coordinator waits, but no rank has anything to send");
    Event e = events_.top();
    events_.pop();
    now_ = e.time;
    handling_result_ = e.payload.find("\"type\":\"result\"") != std::string::npos;
    handling_since_ = {wall_seconds_now(), thread_cpu_seconds()};
    return comm::Message{e.source, sched::kToCoordinator, std::move(e.payload)};
  }

  // The coordinator's work since the last message it received.
  void end_handling() {
    if (handling_since_.first < 0) return;
    const double wall = wall_seconds_now() - handling_since_.first;
    out_.handle_seconds.push_back(wall);
    if (handling_result_) out_.result_handle_seconds.push_back(wall);
    out_.coordinator_cpu_seconds += thread_cpu_seconds() - handling_since_.second;
    handling_since_ = {-1, 0};
  }

  void barrier() override { no_collectives(); }
  void broadcast(std::string&, int) override { no_collectives(); }
  std::vector<std::string> all_gather(const std::string&) override { no_collectives(); }
  void all_reduce(at::Tensor&, comm::ReduceOp) override { no_collectives(); }
  void broadcast(at::Tensor&, int) override { no_collectives(); }
  std::unique_ptr<comm::Communicator> split(int, int) override { no_collectives(); }
  std::unique_ptr<comm::Communicator> create_group(const std::vector<int>&, int) override {
    no_collectives();
  }
  [[noreturn]] void abort(int exit_code) override {
    throw CommError("simulation aborted with exit code " + std::to_string(exit_code));
  }

 private:
  struct Event {
    double time;
    uint64_t seq;  // same time: first sent, first received
    int source;
    std::string payload;
    bool operator>(const Event& o) const { return std::tie(time, seq) > std::tie(o.time, o.seq); }
  };
  [[noreturn]] static void no_collectives() {
    throw CommError("simulation: the coordinator has no collectives to call");
  }
  void push(double time, int source, std::string payload) {
    events_.push({time, next_seq_++, source, std::move(payload)});
  }

  const grid::TaskGraph& graph_;
  const SimOptions& opts_;
  SimResult& out_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  uint64_t next_seq_ = 0;
  double now_ = 0;
  std::pair<double, double> handling_since_{-1, 0};  // wall, CPU; wall < 0: not handling
  bool handling_result_ = false;
};

// max(critical path, work / ranks) over the tasks that ran, with the durations they ran for.
double lower_bound_of(const grid::TaskGraph& graph, const SimResult& r, int ranks) {
  std::map<std::string, double> seconds;
  double work = 0;
  for (const auto& a : r.assignments) {
    seconds[a.key] = a.end - a.start;
    work += a.end - a.start;
  }
  std::map<std::string, double> finish;
  double path = 0;
  for (const auto& t : graph.tasks) {  // dependencies come first
    if (!seconds.count(t.key)) continue;
    double ready = 0;
    for (const auto& d : t.deps)
      if (finish.count(d)) ready = std::max(ready, finish[d]);
    finish[t.key] = ready + seconds[t.key];
    path = std::max(path, finish[t.key]);
  }
  return std::max(path, work / ranks);
}

}  // namespace

double task_seconds(const grid::Task& task, int gang, const SimOptions& opts) {
  const double u = 2 * uniform01(task.key, opts.seed, 0) - 1;
  const double model_factor =
      std::exp(opts.model_spread * (2 * uniform01(task.model, opts.seed, 1) - 1));
  return task.cost / (gang * opts.macs_per_second) * model_factor * (1 + opts.noise * u);
}

SimResult simulate(const grid::TaskGraph& graph, const SimOptions& opts,
                   const std::string& work_dir) {
  const std::string results_path = work_dir + "/results.h5";
  if (std::filesystem::exists(results_path))
    throw IoError(results_path + " exists: a simulation starts from an empty directory");
  auto store = results::ResultsStore::open_or_create(results_path, {});
  results::Artifacts artifacts(work_dir + "/artifacts", false);
  SimResult out;
  EventQueueComm comm(graph, opts, out);
  sched::SchedulerOptions scheduling;
  scheduling.policy = opts.policy;
  out.exit_code = sched::Coordinator(graph, store, artifacts, comm, {}, scheduling).run();
  comm.end_handling();
  out.statuses = store.statuses();
  for (const auto& a : out.assignments) {
    out.makespan = std::max(out.makespan, a.end);
    out.busy_rank_seconds += a.end - a.start;
  }
  out.lower_bound = lower_bound_of(graph, out, opts.ranks);
  return out;
}

}  // namespace kdbench::schedsim
