// Fused runs (fused_trainer.h). The per-step order of each member is the solo trainer's
// (trainer.cpp, run_epoch): at the epoch start the teacher checkpoint is prepared and the order
// drawn from the member's generator; per step its rows gathered, crop/flip drawn from that same
// generator, the loss on its logits, the sums kept on the device; at the epoch end evaluation,
// curves, best point and kept checkpoints.
#include "kdbench/train/fused_trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <optional>

#include "kdbench/core/errors.h"
#include "kdbench/datasets/dataset.h"
#include "kdbench/methods/nokd.h"
#include "kdbench/methods/registry.h"
#include "kdbench/models/fused.h"
#include "kdbench/train/evaluate.h"
#include "kdbench/train/lr_schedule.h"
#include "kdbench/train/net_io.h"
#include "kdbench/train/optimizer.h"
#include "kdbench/train/precision.h"
#include "kdbench/train/resume_state.h"
#include "run_bookkeeping.h"
#include "task_record.h"
#include "teacher_source.h"

namespace kdbench::train {
namespace {

using FusedClock = std::chrono::steady_clock;

double fused_seconds(FusedClock::time_point t) {
  return std::chrono::duration<double>(FusedClock::now() - t).count();
}

// The training settings every member must share (augmentation may differ: each member draws its
// own crops).
bool same_training(const grid::TrainConfig& a, const grid::TrainConfig& b) {
  return a.batch_size == b.batch_size && a.lr == b.lr && a.optimizer == b.optimizer &&
         a.momentum == b.momentum && a.weight_decay == b.weight_decay && a.nesterov == b.nesterov &&
         schedule_json(a.lr_schedule) == schedule_json(b.lr_schedule);
}

struct Member {
  Member(const grid::Task* t, const PreparedData& data)
      : task(t),
        method(detail::method_of(*t, data)),
        gen(at::make_generator<at::CPUGeneratorImpl>(data_seed(*t))),
        rec(detail::initial_record(*t)) {}
  const grid::Task* task;
  std::unique_ptr<methods::Method> method;
  at::Generator gen;
  results::RunRecord rec;
  models::Net net;
  std::optional<TeacherSource> teacher;
  detail::Best best;
  bool augmented = false;
  bool cached = false;  // teacher logits from the cache
  // The epoch in progress.
  methods::StepContext ctx;
  int checkpoint = methods::kFinalCheckpoint;
  bool use_teacher = false;
  torch::Tensor order;  // on the training device
};

class FusedRun {
 public:
  FusedRun(const std::vector<const grid::Task*>& tasks, const TrainEnv& env)
      : env_(env), data_(*env.data), first_(*tasks.front()) {
    std::vector<models::Net> nets;
    for (const grid::Task* task : tasks) {
      Member m(task, data_);
      torch::manual_seed(init_seed(*task));  // as the solo run seeds its weights
      m.net = models::make(task->model, data_.num_classes, data_.shape);
      m.net->to(env.device);
      m.augmented = task->train.augment;
      m.cached = !m.augmented;
      if (!task->teacher_key.empty()) {
        m.teacher.emplace(
            task->teacher_key, task->teacher_model, data_, *env.artifacts,
            task->train.eval_batch_size, Precision::Fp32,
            parse_logit_dtype(task->train.teacher_logits, task->label() + ": teacher_logits"));
        m.rec.config["teacher_logits"] = {{"source", m.cached ? "cache" : "online"}};
        if (m.cached) m.rec.config["teacher_logits"]["dtype"] = task->train.teacher_logits;
      }
      nets.push_back(m.net);
      members_.push_back(std::move(m));
    }
    for (size_t k = 0; k < members_.size(); ++k) {
      nlohmann::json with = nlohmann::json::array();
      for (const grid::Task* other : tasks)
        if (other != tasks[k]) with.push_back(other->key);
      members_[k].rec.config["fused"] = {{"members", tasks.size()}, {"member", k}, {"with", with}};
    }
    fused_ = models::make_fused(first_.model, nets, data_.num_classes, data_.shape);
    fused_->to(env.device);
    opt_ = std::make_unique<torch::optim::SGD>(fused_->parameters(),
                                               torch::optim::SGDOptions(first_.train.lr)
                                                   .momentum(first_.train.momentum)
                                                   .weight_decay(first_.train.weight_decay)
                                                   .nesterov(first_.train.nesterov));
  }

  std::vector<results::RunRecord> run() {
    const auto start = FusedClock::now();
    for (int epoch = 1; epoch <= first_.total_epochs; ++epoch) run_epoch(epoch);
    std::vector<results::RunRecord> records;
    for (Member& m : members_) {
      if (m.task->provides_weights())
        save_net(*m.net, *env_.artifacts, m.task->key, results::checkpoint_name(-1));
      finish(m, start);
      records.push_back(m.rec);
    }
    return records;
  }

 private:
  int64_t steps_per_epoch() const {
    const int64_t n = data_.train.size(), bs = first_.train.batch_size;
    return (n + bs - 1) / bs;
  }

  void begin_epoch(Member& m, int epoch, int64_t steps) {
    m.ctx = {};
    m.ctx.epoch = {epoch, first_.total_epochs, 0, epoch, first_.total_epochs};
    m.ctx.steps_per_epoch = steps;
    m.use_teacher = m.method->phases(m.task->train.epochs).front().uses_teacher && m.teacher;
    m.checkpoint = !m.use_teacher ? methods::kFinalCheckpoint
                   : m.task->teacher_checkpoint >= 0
                       ? m.task->teacher_checkpoint
                       : m.method->teacher_checkpoint(m.ctx.epoch, m.task->teacher_epochs);
    if (m.use_teacher && m.cached && !m.teacher->holds_cached(m.checkpoint)) {
      const std::string file = m.teacher->prepare_cached(m.checkpoint);
      auto& files = m.rec.config["teacher_logits"]["files"];
      if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
    }
    // Drawn on the CPU generator (the same on every device), uploaded once.
    m.order = torch::randperm(data_.train.size(), m.gen, torch::kLong).to(env_.device);
  }

  void run_epoch(int epoch) {
    const auto epoch_start = FusedClock::now();
    const int64_t n = data_.train.size(), bs = first_.train.batch_size;
    const int64_t steps = steps_per_epoch();
    const int epochs = first_.total_epochs;
    const double lr = lr_of_step(first_.train, epoch, epochs, steps, steps - 1);
    set_lr(*opt_, lr);
    for (Member& m : members_) begin_epoch(m, epoch, steps);
    fused_->train();
    const size_t k = members_.size();
    std::vector<detail::EpochSums> sums;  // one each: copies would share the tensors
    for (size_t i = 0; i < k; ++i) sums.emplace_back(env_.device, 0, 0);
    for (int64_t s = 0; s < steps; ++s) {
      std::vector<torch::Tensor> idx(k), images(k), labels(k);
      for (size_t i = 0; i < k; ++i) {
        Member& m = members_[i];
        m.ctx.step_in_epoch = s;
        idx[i] = m.order.slice(0, s * bs, std::min(n, (s + 1) * bs));
        images[i] = batch(data_, data_.train, idx[i]).images;
        labels[i] = data_.train.y.index_select(0, idx[i]);
        if (m.augmented)
          images[i] = datasets::crop_flip(images[i], m.task->train.augment_padding, m.gen);
      }
      opt_->zero_grad();
      const torch::Tensor logits = fused_->forward(torch::stack(images));
      torch::Tensor total;
      std::vector<torch::Tensor> losses(k);
      for (size_t i = 0; i < k; ++i) {
        Member& m = members_[i];
        torch::Tensor t_logits;
        if (m.use_teacher)
          t_logits =
              m.teacher->batch_logits(m.checkpoint, idx[i], images[i], !m.cached).to(torch::kFloat);
        losses[i] = m.method->loss(logits[static_cast<int64_t>(i)], t_logits, labels[i], m.ctx);
        total = i == 0 ? losses[i] : total + losses[i];
      }
      total.backward();
      for (size_t i = 0; i < k; ++i)
        sums[i].add(losses[i], logits[static_cast<int64_t>(i)].detach(), labels[i], s);
      if (per_step(first_.train.lr_schedule))
        set_lr(*opt_, lr_of_step(first_.train, epoch, epochs, steps, s));
      opt_->step();
    }
    const double train_seconds = fused_seconds(epoch_start);
    for (size_t i = 0; i < k; ++i) {
      Member& m = members_[i];
      fused_->unstack(static_cast<int64_t>(i), *m.net);
      const double loss_sum = sums[i].loss.item<double>();
      const double correct = static_cast<double>(sums[i].correct.item<int64_t>());
      if (sums[i].bad_step.item<int64_t>() >= 0)
        throw NonFiniteLoss(m.task->label() + " (fused): loss became " +
                                std::to_string(sums[i].bad_loss.item<double>()) + " at epoch " +
                                std::to_string(epoch) + " step " +
                                std::to_string(sums[i].bad_step.item<int64_t>() + 1),
                            epoch, sums[i].bad_step.item<int64_t>() + 1);
      const double acc = data_.regression() ? std::numeric_limits<double>::quiet_NaN()
                                            : correct / static_cast<double>(n);
      // Each member's share of the fused training time, plus its own evaluation.
      end_epoch(m, epoch, lr, loss_sum / static_cast<double>(n), acc,
                train_seconds / static_cast<double>(k));
    }
  }

  // As the solo trainer's end_epoch (one phase, evaluation at epoch ends only).
  void end_epoch(Member& m, int epoch, double lr, double train_loss, double train_acc,
                 double seconds) {
    const auto eval_start = FusedClock::now();
    const int64_t eb = m.task->train.eval_batch_size;
    const Scores v = evaluate(*m.net, data_, data_.val, eb);
    const Scores t = evaluate(*m.net, data_, data_.test, eb);
    seconds += fused_seconds(eval_start);
    auto& c = m.rec.curves;
    c.epoch.push_back(epoch);
    c.train_loss.push_back(train_loss);
    c.train_acc.push_back(train_acc);
    c.val_acc.push_back(v.accuracy);
    c.test_acc.push_back(t.accuracy);
    c.val_metric.push_back(v.metric);
    c.test_metric.push_back(t.metric);
    c.lr.push_back(lr);
    c.seconds.push_back(seconds);
    detail::Best& b = m.best;
    if (v.metric > b.val) {
      b.val = v.metric, b.test_at_val = t.metric, b.epoch = epoch;
      b.val_acc = v.accuracy, b.test_acc_at_val = t.accuracy, b.step = 0;
    }
    b.best_test = std::max(b.best_test, t.metric);
    b.best_test_acc = std::max(b.best_test_acc, t.accuracy);
    const auto& keep = m.task->keep_checkpoints;
    const bool kept = std::find(keep.begin(), keep.end(), epoch) != keep.end();
    if (kept) {
      save_net(*m.net, *env_.artifacts, m.task->key, results::checkpoint_name(epoch));
      m.rec.checkpoints[std::to_string(epoch)] = {{"val_acc", v.accuracy},
                                                  {"test_acc", t.accuracy}};
      if (data_.metric != "accuracy")
        m.rec.checkpoints[std::to_string(epoch)].update(
            {{"val_metric", v.metric}, {"test_metric", t.metric}});
    }
    if (env_.on_epoch)
      env_.on_epoch({m.task, epoch, m.task->total_epochs, train_loss, v.accuracy, seconds, kept});
  }

  // As the solo trainer's finish(); the group's wall time is shared evenly: what each member cost.
  void finish(Member& m, FusedClock::time_point start) {
    detail::finish_record(m.rec, m.best, data_, env_,
                          fused_seconds(start) / static_cast<double>(members_.size()),
                          m.task->label());
    detail::write_finished(*env_.artifacts, m.task->key, m.rec);
  }

  const TrainEnv& env_;
  const PreparedData& data_;
  const grid::Task& first_;
  std::vector<Member> members_;
  models::FusedNet fused_;
  std::unique_ptr<torch::optim::SGD> opt_;
};

}  // namespace

std::string fuse_refusal(const std::vector<const grid::Task*>& tasks, const TrainEnv& env) {
  if (tasks.empty()) return "no tasks";
  if (env.gang != nullptr && env.gang->size() > 1) return "a gang trains one task at a time";
  if (env.data == nullptr || env.data->text) return "fused models are image models";
  const grid::Task& first = *tasks.front();
  if (!models::can_fuse(first.model)) return "model " + first.model + " has no fused form";
  for (const grid::Task* t : tasks) {
    const std::string who = t->label() + ": ";
    if (t->model != first.model) return who + "another model than " + first.model;
    if (t->total_epochs != first.total_epochs || t->train.epochs != first.train.epochs)
      return who + "another number of epochs";
    if (!same_training(t->train, first.train))
      return who + "another batch size, optimizer or learning-rate schedule";
    if (t->train.optimizer != "sgd") return who + "optimizer " + t->train.optimizer;
    if (t->train.precision != "fp32") return who + "precision " + t->train.precision;
    if (t->train.max_grad_norm > 0) return who + "gradient clipping (a norm over all members)";
    if (t->train.eval_steps > 0) return who + "evaluation between epoch ends";
    if (!t->train.init.empty()) return who + "pretrained init";
    const auto method = detail::method_of(*t, *env.data);
    if (method->perturbs_inputs()) return who + "method " + t->method + " perturbs inputs";
    if (method->phases(t->train.epochs).size() != 1)
      return who + "method " + t->method + " has phases";
  }
  return "";
}

std::vector<results::RunRecord> run_fused(const std::vector<const grid::Task*>& tasks,
                                          const TrainEnv& env) {
  const std::string why = fuse_refusal(tasks, env);
  if (!why.empty()) throw ConfigError("cannot fuse: " + why);
  return FusedRun(tasks, env).run();
}

}  // namespace kdbench::train
