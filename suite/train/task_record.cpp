// What a task's run record holds before training starts: the task's own fields, its seeds and
// the resolved training configuration (kept apart from trainer.cpp, which trains).
#include "task_record.h"

#include "kdbench/core/hash.h"
#include "kdbench/results/run_record.h"
#include "kdbench/train/lr_schedule.h"
#include "kdbench/train/trainer.h"

namespace kdbench::train {

uint64_t init_seed(const grid::Task& task) {
  return derive_seed(static_cast<uint64_t>(task.seed), "init|" + task.model);
}
uint64_t data_seed(const grid::Task& task) {
  return derive_seed(static_cast<uint64_t>(task.seed), "data-order");
}

// Exactly the fields flagged kTask in kdbench/results/run_record_fields.h (test_results_task_record
// checks it): a field added there with kTask is set here.
results::RunRecord task_record(const grid::Task& task) {
  results::RunRecord rec;
  rec.key = task.key;
  rec.kind = task.kind;
  rec.model = task.model;
  rec.method = task.method;
  rec.method_params = task.method_params_resolved;
  rec.method_variant = task.method_variant;
  rec.teacher_key = task.teacher_key;
  rec.teacher_model = task.teacher_model;
  rec.teacher_checkpoint = task.teacher_checkpoint;
  rec.chain = task.chain;
  rec.seed = task.seed;
  rec.params_count = task.params_count;
  rec.flops = 2 * task.macs_per_image;
  return rec;
}

namespace detail {

nlohmann::json config_json(const grid::Task& task) {
  const auto& c = task.train;
  nlohmann::json j = {{"epochs", c.epochs},
                      {"total_epochs", task.total_epochs},
                      {"batch_size", c.batch_size},
                      {"optimizer", c.optimizer},
                      {"lr", c.lr},
                      {"momentum", c.momentum},
                      {"weight_decay", c.weight_decay},
                      {"nesterov", c.nesterov},
                      {"augment", c.augment},
                      {"augment_padding", c.augment_padding},
                      {"precision", c.precision}};
  j.update(schedule_json(c.lr_schedule));
  if (c.optimizer == "adamw")
    j.update(
        {{"adam_beta1", c.adam_beta1}, {"adam_beta2", c.adam_beta2}, {"adam_eps", c.adam_eps}});
  if (c.max_grad_norm > 0) j["max_grad_norm"] = c.max_grad_norm;
  if (c.length_buckets) j["length_buckets"] = true;
  if (c.eval_steps > 0) j["eval_steps"] = c.eval_steps;
  if (!task.keep_checkpoints.empty()) j["keep_checkpoints"] = task.keep_checkpoints;
  return j;
}

results::RunRecord initial_record(const grid::Task& task) {
  results::RunRecord rec = task_record(task);
  rec.started = results::utc_now();
  rec.config = config_json(task);
  return rec;
}

}  // namespace detail
}  // namespace kdbench::train
