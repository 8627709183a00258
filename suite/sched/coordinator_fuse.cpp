// Fused students ([grid] fuse = K; docs/design.md §3.6): an idle rank is sent the
// highest-priority ready task together with the ready tasks after it (in dispatch order) that
// train::fuse_refusal lets join the group, up to K, as one assignment. The worker trains them as
// one fused model (kdbench/train/fused_trainer.h) and sends every member's record in one message.
// Each member is RUNNING, DONE or FAILED as if it had run alone (its own retries, its own
// dependents); only the rank is shared.
#include <memory>

#include "kdbench/core/log.h"
#include "kdbench/datasets/dataset.h"
#include "kdbench/sched/coordinator.h"
#include "kdbench/sched/protocol.h"
#include "kdbench/train/fused_trainer.h"
#include "kdbench/train/prepared_data.h"
#include "kdbench/train/trainer.h"

namespace kdbench::sched {

// fuse_refusal reads of the data only its kind and number of classes: the coordinator checks
// groups against a PreparedData with those and no examples, so rank 0 loads nothing for it.
FuseCheck fuse_check_of(const grid::GridSpec& grid) {
  auto data = std::make_shared<train::PreparedData>();
  data->num_classes = grid::num_classes(grid);
  data->shape = grid::input_shape(grid);
  data->text = datasets::info(grid.dataset).is_text();
  return [data](const std::vector<const grid::Task*>& tasks) {
    train::TrainEnv env;
    env.data = data.get();
    return train::fuse_refusal(tasks, env);
  };
}

// Gangs never fuse (a fused group runs on one rank); a task that cannot fuse even alone (another
// model, a phased method) runs alone at once, before any scan.
std::vector<std::string> Coordinator::fused_group(const std::string& first) const {
  std::vector<std::string> keys{first};
  std::vector<const grid::Task*> tasks{&graph_.at(first)};
  if (!options_.fuse_check || !options_.fuse_check(tasks).empty()) return keys;
  for (auto it = std::next(ready_.begin());
       it != ready_.end() && keys.size() < static_cast<size_t>(options_.fuse); ++it) {
    const grid::Task& t = graph_.at(it->second);
    if (gang_size(t) != 1) continue;
    tasks.push_back(&t);
    if (options_.fuse_check(tasks).empty())
      keys.push_back(t.key);
    else
      tasks.pop_back();
  }
  return keys;
}

void Coordinator::start_fused(const std::vector<std::string>& keys, int rank) {
  // The group runs as long as its members would one after the other (about; bench/README.md):
  // each member's stall threshold is measured against that.
  double group_estimate = 0;
  for (const auto& key : keys) group_estimate += cost_.seconds(graph_.at(key), 1);
  std::string labels;
  for (size_t k = 0; k < keys.size(); ++k) {
    const std::string& key = keys[k];
    const auto& t = graph_.at(key);
    labels += (k ? ", " : "") + t.label();
    remove_pending(key);
    running_.insert(key);
    running_at_[key] = {{rank}, now(), results::utc_now(), index_of(key)};
    inspector_.started(key, t.label(), {rank}, now(), group_estimate, t.total_epochs);
    results::RunRecord rec = train::task_record(t);
    rec.status = results::Status::Running;
    rec.attempts = ++attempts_[key];
    rec.rank = rank;
    rec.started = results::utc_now();
    nlohmann::json with = nlohmann::json::array();
    for (const auto& other : keys)
      if (other != key) with.push_back(other);
    rec.config["fused"] = {{"members", keys.size()}, {"member", k}, {"with", with}};
    annotate(rec, t);
    store_.put(rec);
  }
  spdlog::info("fused group of {} on rank {}: {}", keys.size(), rank, labels);
  comm_.send(rank, kToWorker, fused_task_message(keys));
}

void Coordinator::handle_fused_result(int source, const nlohmann::json& records) {
  for (const auto& j : records) record_result(results::record_from_json(j));
  refresh_if_estimates_moved();
  maybe_write_progress(1.0);
  idle_.push_back(source);  // once: the group held one rank
}

}  // namespace kdbench::sched
