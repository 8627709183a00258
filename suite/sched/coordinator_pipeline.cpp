// Pipelining on teacher checkpoints (docs/design.md §3.6): the readiness of a student of teacher
// checkpoint k hangs on that checkpoint being sealed on disk, not on the whole teacher being DONE.
// Every dependency edge counts down unfinished_deps_ exactly once: released early here when its
// checkpoint is sealed, or by mark_done() when the teacher finishes (which skips edges released
// early). A dependency is kept as a key in the graph; the checkpoint an edge needs is derived here.
#include <algorithm>
#include <chrono>

#include "kdbench/core/errors.h"
#include "kdbench/core/log.h"
#include "kdbench/results/artifacts.h"
#include "kdbench/sched/coordinator.h"

namespace kdbench::sched {

// Only the checkpoint-search edge (student -> its teacher, pinned epoch k that the teacher keeps)
// is released early. Final weights exist only once the task is DONE; a TAKD assistant's students
// read its final weights. TAKD auto alternatives wait for their decision, which reads the whole
// teacher's record. Pro-KD (teacher_checkpoint -1) walks every kept checkpoint and reads the final
// weights in its last epoch: it waits for the whole teacher (see docs/design.md §3.6 for why).
int Coordinator::checkpoint_edge(const grid::Task& task, const std::string& dep) const {
  if (!options_.pipeline || dep != task.teacher_key || task.teacher_checkpoint < 0 ||
      !task.alternative_of.empty() || !graph_.contains(dep))
    return -1;
  const auto& keep = graph_.at(dep).keep_checkpoints;
  return std::find(keep.begin(), keep.end(), task.teacher_checkpoint) != keep.end()
             ? task.teacher_checkpoint
             : -1;
}

bool Coordinator::edge_released_early(const std::string& task, const std::string& dep) const {
  const int epoch = checkpoint_edge(graph_.at(task), dep);
  if (epoch < 0) return false;
  const auto it = sealed_checkpoints_.find(dep);
  return it != sealed_checkpoints_.end() && it->second.count(epoch) > 0;
}

void Coordinator::index_checkpoint_edges() {
  for (const auto& t : graph_.tasks)
    for (const auto& d : t.deps)
      if (const int epoch = checkpoint_edge(t, d); epoch >= 0)
        checkpoint_dependents_[d][epoch].push_back(t.key);
}

// At start-up: a teacher that is not DONE (interrupted, failed, or DONE with some files gone) may
// have left intact checkpoints in the artifacts directory; training is deterministic, so they are
// the ones its rerun writes again, and its students of those epochs need not wait for it.
void Coordinator::find_sealed_checkpoints() {
  for (const auto& [teacher, by_epoch] : checkpoint_dependents_) {
    if (done_.count(teacher)) continue;
    for (const auto& [epoch, students] : by_epoch) {
      const std::string name = results::checkpoint_name(epoch);
      if (!artifacts_.exists(teacher, name)) continue;
      std::string why;
      if (!results::sealed_file_intact(artifacts_.path_for(teacher, name), &why)) {
        spdlog::warn("{}: {}", graph_.at(teacher).label(), why);
        continue;
      }
      sealed_checkpoints_[teacher].insert(epoch);
    }
  }
}

// One message per epoch of a running task: liveness, epoch times, and sealed checkpoints.
void Coordinator::handle_progress(int source, const nlohmann::json& progress) {
  last_report_[source] =
      std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  const std::string key = progress.at("key").get<std::string>();
  if (!graph_.contains(key))
    throw CommError("coordinator: progress for unknown task " + key + " from rank " +
                    std::to_string(source));
  latest_epoch_[key] = progress.at("epoch").get<int>();
  // The running task's epoch time refines the estimates now, not only when it finishes (its
  // record's curve is then not counted again: learn()). A job runs on one device kind.
  const grid::Task& t = graph_.at(key);
  cost_.observe_epoch(t, cost_.device_kind(), progress.at("seconds").get<double>(), gang_size(t));
  ++epochs_observed_[key];
  inspector_.heard_from(source, now(), /*progress=*/true);
  refresh_if_estimates_moved();
  if (progress.contains("checkpoint")) checkpoint_sealed(key, progress.at("checkpoint").get<int>());
}

void Coordinator::checkpoint_sealed(const std::string& teacher, int epoch) {
  // A DONE teacher released every edge already; a repeated report (a retry) releases nothing.
  if (!options_.pipeline || done_.count(teacher)) return;
  if (!sealed_checkpoints_[teacher].insert(epoch).second) return;
  const auto by_teacher = checkpoint_dependents_.find(teacher);
  if (by_teacher == checkpoint_dependents_.end()) return;
  const auto students = by_teacher->second.find(epoch);
  if (students == by_teacher->second.end()) return;
  for (const auto& s : students->second) release_edge(s);
  spdlog::info("{}: checkpoint of epoch {} sealed: {} task(s) reading it may start",
               graph_.at(teacher).label(), epoch, students->second.size());
}

}  // namespace kdbench::sched
