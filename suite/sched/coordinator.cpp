#include "kdbench/sched/coordinator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>

#include "kdbench/core/errors.h"
#include "kdbench/core/log.h"
#include "kdbench/sched/progress_report.h"
#include "kdbench/sched/protocol.h"
#include "kdbench/train/resume_state.h"
#include "kdbench/train/stop_flag.h"
#include "kdbench/train/trainer.h"

namespace kdbench::sched {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

FailurePolicy FailurePolicy::of(const grid::GridSpec& grid) {
  return {grid.retries, grid.on_failure == "stop"};
}

Coordinator::Coordinator(const grid::TaskGraph& graph, results::ResultsStore& store,
                         const results::Artifacts& artifacts, comm::Communicator& comm,
                         FailurePolicy policy, SchedulerOptions options)
    : graph_(graph),
      store_(store),
      artifacts_(artifacts),
      comm_(comm),
      options_(std::move(options)),
      cost_(options_.device_kind),
      inspector_(options_.stall_factor, options_.silence_floor_seconds),
      policy_(policy) {
  if (!options_.clock) options_.clock = now_seconds;
  for (const auto& t : graph_.tasks)
    for (const auto& d : t.deps) dependents_[d].push_back(t.key);
  std::set<std::string> models;
  for (const auto& t : graph_.tasks) models.insert(t.model);
  models_.assign(models.begin(), models.end());
  index_checkpoint_edges();
  refresh_estimates();  // priorities before load_state indexes the ready tasks
  load_state();
  warn_clamped_gangs();
}

int Coordinator::gang_size(const grid::Task& t) const {
  return std::clamp(t.gang_size, 1, comm_.size());
}

void Coordinator::warn_clamped_gangs() const {
  int largest = 1;
  for (const auto& t : graph_.tasks) largest = std::max(largest, t.gang_size);
  if (largest > comm_.size())
    spdlog::warn(
        "gang_size up to {} but the job has {} rank(s): such gangs run on all {} (gang_size does "
        "not change results, only how many ranks train a task together)",
        largest, comm_.size(), comm_.size());
}

// Present and intact: a checkpoint whose checksum does not match is as good as missing (its
// students would fail on it, or worse, distill from damaged weights).
bool Coordinator::artifacts_present(const grid::Task& t) const {
  if (t.kind == "pretrain") {
    // The encoder directory is renamed into place whole; both files must be there.
    const std::string dir = grid::pretrained_encoder_dir(artifacts_.root(), t.key);
    return std::filesystem::is_regular_file(dir + "/config.json") &&
           std::filesystem::is_regular_file(dir + "/model.safetensors");
  }
  std::vector<int> epochs = t.keep_checkpoints;
  epochs.push_back(-1);
  for (int e : epochs) {
    const std::string name = results::checkpoint_name(e);
    if (!artifacts_.exists(t.key, name)) return false;
    std::string why;
    if (!results::sealed_file_intact(artifacts_.path_for(t.key, name), &why)) {
      spdlog::warn("{}: {}", t.label(), why);
      return false;
    }
  }
  return true;
}

void Coordinator::load_state() {
  const auto statuses = store_.statuses();
  for (const auto& t : graph_.tasks) {
    auto it = statuses.find(t.key);
    const bool was_done = it != statuses.end() && it->second == results::Status::Done;
    if (it != statuses.end())
      if (auto rec = store_.get(t.key)) {
        attempts_[t.key] = rec->attempts;
        learn(t, *rec);  // earlier jobs' epoch times refine the estimates
      }
    // A finished teacher whose checkpoints are gone (deleted, or a new grid keeps more epochs)
    // is trained again when a student still needs it; training is deterministic.
    const bool needed_later = t.provides_weights() && [&] {
      for (const auto& d : dependents_[t.key])
        if (!statuses.count(d) || statuses.at(d) != results::Status::Done) return true;
      return false;
    }();
    if (was_done && !(needed_later && !artifacts_present(t))) {
      done_.insert(t.key);
    } else if (!was_done && record_finished_state(t)) {
      done_.insert(t.key);
    } else {
      if (was_done)
        spdlog::info("re-running {}: its checkpoints are missing from {} or damaged", t.label(),
                     artifacts_.root());
      pending_.insert(t.key);
    }
  }
  find_sealed_checkpoints();
  refresh_estimates();  // with what the file taught the cost model, and the pending work
  index_readiness();
  resolve_choices();
}

void Coordinator::index_readiness() {
  for (const auto& t : graph_.tasks) {
    int& unfinished = unfinished_deps_[t.key];
    unfinished = static_cast<int>(std::count_if(t.deps.begin(), t.deps.end(), [&](const auto& d) {
      return !done_.count(d) && !edge_released_early(t.key, d);
    }));
    if (unfinished == 0 && pending_.count(t.key)) ready_.emplace(-priority(t.key), t.key);
  }
}

void Coordinator::add_pending(const std::string& key) {
  pending_.insert(key);
  pending_work_ += duration_[index_of(key)] * gang_size(graph_.at(key));
  if (unfinished_deps_.at(key) == 0) ready_.emplace(-priority(key), key);
}

void Coordinator::remove_pending(const std::string& key) {
  if (pending_.erase(key)) pending_work_ -= duration_[index_of(key)] * gang_size(graph_.at(key));
  ready_.erase({-priority(key), key});
}

void Coordinator::mark_done(const std::string& key) {
  done_.insert(key);
  for (const auto& d : dependents_[key])
    if (!edge_released_early(d, key)) release_edge(d);  // each edge counts down once
}

void Coordinator::release_edge(const std::string& dependent) {
  if (--unfinished_deps_.at(dependent) == 0 && pending_.count(dependent))
    ready_.emplace(-priority(dependent), dependent);
}

// A task whose training finished but whose result the job did not record (killed in between):
// its trainer left the finished record (train::kFinishedFile); take it instead of training again.
bool Coordinator::record_finished_state(const grid::Task& t) {
  if (!artifacts_.exists(t.key, train::kFinishedFile)) return false;
  const std::string path = artifacts_.path_for(t.key, train::kFinishedFile);
  try {
    results::RunRecord rec =
        results::record_from_json(nlohmann::json::parse(results::read_sealed(path)));
    if (rec.key != t.key || rec.status != results::Status::Done ||
        (t.provides_weights() && !artifacts_present(t)))
      return false;
    rec.attempts = std::max(1, attempts_[t.key]);
    annotate(rec, t);
    store_.put(rec);
    artifacts_.remove(t.key, train::kFinishedFile);
    spdlog::info("{}: recorded DONE from {} (it finished before the last job ended)", t.label(),
                 path);
    return true;
  } catch (const std::exception& e) {
    spdlog::warn("{}: ignoring its finished state: {}", t.label(), e.what());
    return false;
  }
}

void Coordinator::resolve_choices() {
  bool decided = false;
  for (const auto& [id, choice] : graph_.choices) {
    if (decisions_.count(id)) continue;
    const auto keys = choice.decision_keys();
    if (!std::all_of(keys.begin(), keys.end(),
                     [&](const std::string& k) { return done_.count(k) > 0; }))
      continue;
    const auto decision = decide(choice, [&](const std::string& key) {
      auto rec = store_.get(key);
      if (!rec) throw Error("internal: no record of finished run " + key);
      return *rec;
    });
    spdlog::info("TAKD auto, {}: {}", id, decision.summary());
    decisions_[id] = decision;
    decided = true;
  }
  if (!decided) return;
  // An alternative is dropped once every choice it belongs to picked another candidate.
  for (const auto& t : graph_.tasks) {
    if (t.alternative_of.empty() || !pending_.count(t.key)) continue;
    const bool maybe_needed =
        std::any_of(t.alternative_of.begin(), t.alternative_of.end(), [&](const auto& alt) {
          const auto d = decisions_.find(alt.choice_id);
          return d == decisions_.end() || d->second.chosen == alt.candidate;
        });
    if (maybe_needed) continue;
    remove_pending(t.key);
    dropped_.insert(t.key);
  }
}

void Coordinator::annotate(results::RunRecord& rec, const grid::Task& t) const {
  // Provenance of a fine-tune of a pretrained model: the pretrain run it started from.
  if (!t.pretrain_key.empty() && t.kind != "pretrain")
    rec.config["pretrain"] = {{"key", t.pretrain_key}, {"encoder", t.pretrain_key + "/encoder"}};
  for (const auto& alt : t.alternative_of) {
    const auto d = decisions_.find(alt.choice_id);
    if (d != decisions_.end() && d->second.chosen == alt.candidate)
      rec.config["takd_auto"] = d->second.to_json();
  }
}

// Strict priority with reservation (docs/design.md §3.6): ready tasks in priority order each take
// the idle ranks they need. A gang needing more ranks than are idle holds every idle rank for
// itself (lower-priority tasks never take them) until enough are idle: a stream of small tasks
// cannot starve it, and running tasks always finish, so it always starts.
void Coordinator::dispatch() {
  if (stopping_) return;
  while (!ready_.empty() && !idle_.empty()) {
    const std::string key = ready_.begin()->second;  // start() takes it out of ready_
    const size_t need = static_cast<size_t>(gang_size(graph_.at(key)));
    if (need > idle_.size()) break;  // the idle ranks are reserved for this gang
    std::vector<int> ranks(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(need));
    idle_.erase(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(need));
    if (need == 1 && options_.fuse > 1) {
      const auto group = fused_group(key);
      if (group.size() > 1) {
        start_fused(group, ranks.front());
        continue;
      }
    }
    start(key, ranks);
  }
}

void Coordinator::start(const std::string& key, const std::vector<int>& ranks) {
  const auto& t = graph_.at(key);
  remove_pending(key);
  running_.insert(key);
  const double estimate = cost_.seconds(t, static_cast<int>(ranks.size()));
  running_at_[key] = {ranks, now(), results::utc_now(), index_of(key)};
  inspector_.started(key, t.label(), ranks, now(), estimate, t.total_epochs);
  results::RunRecord rec = train::task_record(t);
  rec.status = results::Status::Running;
  rec.attempts = ++attempts_[key];
  rec.rank = ranks.front();
  rec.started = results::utc_now();
  if (ranks.size() > 1) rec.gang = {{"size", ranks.size()}, {"ranks", ranks}};
  annotate(rec, t);
  store_.put(rec);
  if (ranks.size() == 1) {
    comm_.send(ranks.front(), kToWorker, task_message(key));
    return;
  }
  spdlog::info("{}: gang of {} on ranks {}", t.label(), ranks.size(), rec.gang["ranks"].dump());
  next_gang_tag_ = (next_gang_tag_ + 1) % 32768;  // MPI guarantees tags up to 32767
  for (int r : ranks) comm_.send(r, kToWorker, gang_task_message(key, ranks, next_gang_tag_));
}

void Coordinator::fail_dependents(const std::string& key, const std::string& reason) {
  for (const auto& d : dependents_[key]) {
    if (!pending_.count(d)) continue;
    const auto& t = graph_.at(d);
    remove_pending(d);
    failed_.insert(d);
    results::RunRecord rec = train::task_record(t);
    rec.status = results::Status::Failed;
    rec.attempts = attempts_[d];
    rec.error = reason;
    store_.put(rec);
    spdlog::warn("{} not run: {}", t.label(), reason);
    fail_dependents(d, reason);
  }
}

void Coordinator::log_progress(const std::string& what, const grid::Task& t) {
  std::string eta = "";
  if (!pending_.empty() || !running_.empty()) eta = ", ETA " + clock_text(recent_eta());
  spdlog::info("[{}/{} done, {} failed, {} running{}] {} {}", done_.size(), task_count(),
               failed_.size(), running_.size(), eta, what, t.label());
}

void Coordinator::handle_result(int source, const nlohmann::json& j) {
  record_result(results::record_from_json(j));
  refresh_if_estimates_moved();
  maybe_write_progress(1.0);
  idle_.push_back(source);
}

void Coordinator::record_result(results::RunRecord rec) {
  const auto& t = graph_.at(rec.key);
  rec.attempts = attempts_[rec.key];
  running_.erase(rec.key);
  running_at_.erase(rec.key);
  inspector_.finished(rec.key);
  learn(t, rec);
  annotate(rec, t);
  store_.put(rec);
  if (rec.status == results::Status::Interrupted) {
    // Back to pending: the rerun continues it from its saved state.
    add_pending(rec.key);
    stopping_ = interrupted_ = true;
    log_progress("interrupted (" + rec.error + "):", t);
  } else if (rec.status == results::Status::Done) {
    mark_done(rec.key);
    forget_finished_state(rec.key);
    resolve_choices();
    // A pretrain run has no test split: its score is the validation masked-LM accuracy.
    const bool pretrain = t.kind == "pretrain";
    log_progress("finished (" + std::to_string(std::lround(rec.wall_seconds)) + " s, " +
                     (pretrain ? "val MLM acc " : "test at best val ") +
                     std::to_string(100 * (pretrain ? rec.best_val_acc : rec.test_acc_at_best_val))
                         .substr(0, 5) +
                     "%)",
                 t);
  } else {
    handle_failure(rec, t);
  }
}

void Coordinator::handle_failure(const results::RunRecord& rec, const grid::Task& t) {
  const bool deterministic = rec.config.is_object() && rec.config.contains("failure") &&
                             rec.config["failure"].value("deterministic", false);
  int& retried = retried_[rec.key];
  if (!deterministic && !stopping_ && retried < policy_.retries) {
    ++retried;
    add_pending(rec.key);
    log_progress("FAILED (" + rec.error + "), retry " + std::to_string(retried) + " of " +
                     std::to_string(policy_.retries) + ":",
                 t);
    return;
  }
  failed_.insert(rec.key);
  log_progress("FAILED: " + rec.error + ":", t);  // a deterministic one's error says so
  fail_dependents(rec.key, "upstream task failed: " + t.label());
  if (policy_.stop_on_failure && !stopping_) {
    stopping_ = true;
    spdlog::warn("on_failure = stop: no new tasks; running tasks finish");
  }
}

// Recorded: the trainer's finished record has served its purpose. Best effort: a leftover file is
// ignored for a task that is DONE.
void Coordinator::forget_finished_state(const std::string& key) const {
  try {
    artifacts_.remove(key, train::kFinishedFile);
  } catch (const IoError& e) {
    spdlog::warn("{}", e.what());
  }
}

int Coordinator::exit_code() const {
  if (interrupted_) return kExitInterrupted;
  return failed_.empty() && pending_.empty() ? kExitOk : kExitTasksFailed;
}

void Coordinator::stop_idle_workers_if_finished() {
  if (!stopping_ && (!running_.empty() || !ready_.empty())) return;
  const int code = exit_code();
  while (!idle_.empty()) {
    comm_.send(idle_.front(), kToWorker, stop_message(code));
    idle_.pop_front();
    ++stopped_;
  }
}

int Coordinator::run() {
  start_time_ = last_inspection_ = now();
  for (int r = 0; r < comm_.size(); ++r) inspector_.heard_from(r, start_time_);
  write_progress("running");
  spdlog::info("grid: {} tasks, {} already done, {} to run on {} rank(s)", task_count(),
               done_.size(), pending_.size(), comm_.size());
  auto wait = std::chrono::microseconds(100);
  while (stopped_ < comm_.size()) {
    if (!interrupted_ && train::stop_requested()) {
      stopping_ = interrupted_ = true;
      spdlog::warn(
          "{} received: no new tasks; running tasks save their state; rerun the same command to "
          "continue",
          train::stop_reason());
      stop_idle_workers_if_finished();
    }
    // Polling (not a blocking receive) so a stop signal is noticed while every worker is busy.
    auto m = comm_.try_recv(kToCoordinator);
    if (now() - last_inspection_ >= options_.inspect_every_seconds) inspect(now());
    maybe_write_progress(options_.progress_every_seconds);
    if (!m) {
      std::this_thread::sleep_for(wait);
      wait = std::min(wait * 2, std::chrono::microseconds(20000));
      continue;
    }
    wait = std::chrono::microseconds(100);
    const auto j = nlohmann::json::parse(m->payload);
    const std::string type = j.at("type");
    inspector_.heard_from(m->source, now());
    if (type == "ready")
      idle_.push_back(m->source);
    else if (type == "result")
      handle_result(m->source, j.at("record"));
    else if (type == "fused_result")
      handle_fused_result(m->source, j.at("records"));
    else if (type == "member_done")  // the gang's root reports the task; this rank is free
      idle_.push_back(m->source);
    else if (type == "progress")
      handle_progress(m->source, j);
    else
      throw CommError("coordinator: unknown message type '" + type + "' from rank " +
                      std::to_string(m->source));
    dispatch();
    stop_idle_workers_if_finished();
  }
  spdlog::info("grid {}: {} done, {} failed, {} not finished{}, wall {}",
               stopping_ ? "stopped" : "finished", done_.size(), failed_.size(), pending_.size(),
               dropped_.empty()
                   ? ""
                   : ", " + std::to_string(dropped_.size()) + " TAKD auto alternatives not chosen",
               clock_text(now() - start_time_));
  write_progress(stopping_ ? "stopped" : "finished");
  return exit_code();
}

}  // namespace kdbench::sched
