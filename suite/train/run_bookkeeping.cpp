#include "run_bookkeeping.h"

#include <fstream>
#include <limits>

#include "kdbench/core/errors.h"
#include "kdbench/core/log.h"
#include "kdbench/methods/nokd.h"
#include "kdbench/methods/registry.h"
#include "kdbench/train/resume_state.h"

namespace kdbench::train::detail {

std::unique_ptr<methods::Method> method_of(const grid::Task& task, const PreparedData& data) {
  if (task.kind == "teacher") return methods::NoKd::create({}, {});
  const methods::TrainShape shape{task.train.epochs, task.train.batch_size,
                                  static_cast<int>(data.num_classes), data.regression(), data.text};
  return methods::builtin().make(task.method, task.method_params, shape);
}

void stamp_done(results::RunRecord& rec, const TrainEnv& env, double wall_seconds) {
  rec.status = results::Status::Done;
  rec.rank = env.rank;
  rec.host = env.host;
  rec.device = env.device.str();
  rec.device_name = env.device_name;
  rec.device_memory = env.device_memory;
  rec.threads = env.threads;
  rec.finished = results::utc_now();
  rec.wall_seconds = wall_seconds;
}

void finish_record(results::RunRecord& rec, const Best& best, const PreparedData& data,
                   const TrainEnv& env, double wall_seconds, const std::string& label) {
  stamp_done(rec, env, wall_seconds);
  rec.best_val_acc = best.val_acc;
  rec.test_acc_at_best_val = best.test_acc_at_val;
  rec.best_epoch = best.epoch;
  // A regression run has no accuracy: every accuracy field is NaN (null in JSON), never 0.
  rec.best_test_acc =
      data.regression() ? std::numeric_limits<double>::quiet_NaN() : best.best_test_acc;
  rec.best_step = best.step;
  rec.final_test_acc = rec.curves.test_acc.empty() ? 0 : rec.curves.test_acc.back();
  rec.metric = data.metric;
  rec.best_val_metric = best.val;
  rec.test_metric_at_best_val = best.test_at_val;
  rec.best_test_metric = best.best_test;
  rec.final_test_metric = rec.curves.test_metric.empty() ? 0 : rec.curves.test_metric.back();
  // A run that never beat guessing is DONE (its number belongs in the table) but almost always
  // means a collapse, e.g. DKD's CIFAR-100 beta = 8 on a small 10-class student: say so.
  if (data.regression()) {
    if (!(best.val > 0.05))
      spdlog::warn(
          "{}: best validation {} {:.4f} is at the level of a constant prediction: training "
          "collapsed; check the method's and the optimizer's hyper-parameters",
          label, data.metric, best.val);
    return;
  }
  const double chance = 1.0 / static_cast<double>(data.num_classes);
  if (best.val_acc < 1.5 * chance)
    spdlog::warn(
        "{}: best validation accuracy {:.2f}% is at chance level ({:.2f}%): training collapsed; "
        "check "
        "the method's and the optimizer's hyper-parameters",
        label, 100 * best.val_acc, 100 * chance);
}

void write_finished(const results::Artifacts& artifacts, const std::string& key,
                    const results::RunRecord& rec) {
  const std::string done = results::to_json(rec).dump();
  artifacts.write_sealed(key, kFinishedFile, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    out << done;
    out.close();
    if (!out) throw IoError(tmp + ": write failed");
  });
}

}  // namespace kdbench::train::detail
