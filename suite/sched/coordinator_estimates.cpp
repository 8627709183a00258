// The coordinator's estimates (docs/design.md §3.6): the cost model it refines from every
// finished run, the durations, critical paths and priorities derived from it, the ETA, the stall
// inspector and the progress file <results>.progress.json that `kdbench status` reads.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "kdbench/core/log.h"
#include "kdbench/results/artifacts.h"
#include "kdbench/sched/coordinator.h"

namespace kdbench::sched {
namespace {

double unix_seconds_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Priorities are recomputed only when a model's estimate moved by more than this (relative).
constexpr double kRefreshThreshold = 0.10;

}  // namespace

SchedulerOptions SchedulerOptions::of(const grid::GridSpec& grid) {
  SchedulerOptions o;
  o.stall_factor = grid.stall_factor;
  o.pipeline = grid.pipeline;
  o.fuse = grid.fuse;
  if (grid.fuse > 1) o.fuse_check = fuse_check_of(grid);
  return o;
}

void Coordinator::learn(const grid::Task& t, const results::RunRecord& rec) {
  // Epochs this job already saw in progress messages are in the model; the record's curve
  // repeats them (and those of an earlier attempt, which are left out rather than guessed at).
  if (epochs_observed_.erase(t.key) > 0) return;
  if (cost_.observe_record(t, rec) == 0) return;
  // Jobs run on one kind of device: the latest measured kind is the one estimates are for.
  const std::string kind = device_kind_of(rec.device);
  if (kind != cost_.device_kind()) cost_.set_device_kind(kind);
}

void Coordinator::refresh_estimates() {
  const size_t n = graph_.tasks.size();
  duration_.resize(n);
  for (size_t i = 0; i < n; ++i)
    duration_[i] = cost_.seconds(graph_.tasks[i], gang_size(graph_.tasks[i]));
  critical_path_ = critical_path_seconds(graph_, duration_);
  std::vector<double> next = options_.policy == Policy::Refined ? critical_path_
                             : priority_.empty() ? priorities(graph_, options_.policy, duration_)
                                                 : priority_;
  if (next != priority_) {  // re-key the ready set: O(ready log ready), a few times per job
    std::vector<std::string> ready_keys;
    for (const auto& entry : ready_) ready_keys.push_back(entry.second);
    ready_.clear();
    priority_ = std::move(next);
    for (const auto& key : ready_keys) ready_.emplace(-priority(key), key);
  }
  pending_work_ = 0;
  for (const auto& key : pending_)
    pending_work_ += duration_[index_of(key)] * gang_size(graph_.at(key));
  model_scales_.clear();
  for (const auto& m : models_) model_scales_.push_back(cost_.scale(m, cost_.device_kind()));
  estimates_kind_ = cost_.device_kind();
  seen_model_version_ = cost_.version();
  ++refreshes_;
}

// Dispatch stays O(log n): the O(n) refresh runs only when some model's estimate moved by more
// than 10 % since the last one (a device kind change included). Ratios are averaged, so each
// model's estimate settles after its first few runs and refreshes stop.
void Coordinator::refresh_if_estimates_moved() {
  if (cost_.version() == seen_model_version_) return;
  seen_model_version_ = cost_.version();
  bool moved = estimates_kind_ != cost_.device_kind();
  for (size_t m = 0; m < models_.size() && !moved; ++m)
    moved = std::abs(cost_.scale(models_[m], estimates_kind_) / model_scales_[m] - 1) >
            kRefreshThreshold;
  if (moved) refresh_estimates();
}

double Coordinator::eta_seconds() const {
  const double t = now();
  double work = pending_work_, path = 0;
  for (const auto& [key, run] : running_at_) {
    const size_t i = run.index;
    const double left = std::max(0.0, duration_[i] - (t - run.since));
    work += left * static_cast<double>(run.ranks.size());
    path = std::max(path, left + critical_path_[i] - duration_[i]);
  }
  // Under `refined` the ready set is ordered by critical path: its first entry is the longest.
  if (options_.policy == Policy::Refined && !ready_.empty())
    path = std::max(path, -ready_.begin()->first);
  else
    for (const auto& entry : ready_) path = std::max(path, critical_path_[index_of(entry.second)]);
  return std::max(work / comm_.size(), path);
}

double Coordinator::recent_eta() {
  const double t = now();
  if (t - eta_time_ >= 1) {
    eta_ = eta_seconds();
    eta_time_ = t;
  }
  return eta_;
}

void Coordinator::inspect(double t) {
  last_inspection_ = t;
  const auto lines = inspector_.check(t);
  for (const auto& line : lines) spdlog::warn("{}", line);
  if (!lines.empty()) write_progress("running");
}

void Coordinator::maybe_write_progress(double min_interval) {
  if (now() - last_progress_write_ >= min_interval) write_progress("running");
}

void Coordinator::write_progress(const std::string& state) {
  if (!options_.write_progress) return;
  const double t = now();
  last_progress_write_ = t;
  nlohmann::json j;
  j["version"] = 1;
  j["state"] = state;  // running | finished | stopped
  j["time"] = results::utc_now();
  j["unix_time"] = unix_seconds_now();
  j["write_interval_seconds"] = options_.progress_every_seconds;
  j["ranks"] = comm_.size();
  j["policy"] = name_of(options_.policy);
  j["device_kind"] = cost_.device_kind();
  j["tasks"] = task_count();
  j["done"] = done_.size();
  j["failed"] = failed_.size();
  j["running"] = running_.size();
  j["pending"] = pending_.size();
  j["elapsed_seconds"] = t - start_time_;
  j["eta_seconds"] = state == "running" ? eta_seconds() : 0.0;
  j["stall_factor"] = options_.stall_factor;
  auto& running = j["running_tasks"] = nlohmann::json::array();
  for (const auto& [key, run] : running_at_) {
    const auto& task = graph_.at(key);
    running.push_back({{"key", key},
                       {"label", task.label()},
                       {"ranks", run.ranks},
                       {"started", run.started},
                       {"elapsed_seconds", t - run.since},
                       {"estimate_seconds", duration_[index_of(key)]}});
  }
  auto& stalls = j["stalls"] = nlohmann::json::array();
  for (const auto& s : inspector_.stalls())
    stalls.push_back({{"key", s.key},
                      {"label", s.label},
                      {"elapsed_seconds", s.elapsed},
                      {"estimate_seconds", s.estimate}});
  auto& silent = j["silent_ranks"] = nlohmann::json::array();
  for (const auto& s : inspector_.silences())
    silent.push_back({{"rank", s.rank},
                      {"key", s.key},
                      {"silent_seconds", s.silent},
                      {"threshold_seconds", s.threshold}});
  try {
    // No fsync: a lost update costs nothing, the next one replaces it.
    results::write_text_atomic(progress_path(), j.dump(1) + "\n", false);
  } catch (const std::exception& e) {
    if (!progress_write_failed_) spdlog::warn("progress file not written: {}", e.what());
    progress_write_failed_ = true;
  }
}

}  // namespace kdbench::sched
