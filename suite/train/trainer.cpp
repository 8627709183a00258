#include "kdbench/train/trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <optional>

#include "kdbench/core/errors.h"
#include "kdbench/core/hash.h"
#include "kdbench/core/log.h"
#include "kdbench/core/test_pause.h"
#include "kdbench/methods/nokd.h"
#include "kdbench/methods/registry.h"
#include "kdbench/models/bert.h"
#include "kdbench/train/evaluate.h"
#include "kdbench/train/gang_sync.h"
#include "kdbench/train/lr_schedule.h"
#include "kdbench/train/mate_generator.h"
#include "kdbench/train/net_io.h"
#include "kdbench/train/optimizer.h"
#include "kdbench/train/precision.h"
#include "kdbench/train/resume_state.h"
#include "kdbench/train/stop_flag.h"
#include "run_bookkeeping.h"
#include "task_record.h"
#include "teacher_source.h"

namespace kdbench::train {
namespace {

using detail::Best;
using detail::EpochSums;
using detail::EvalPoint;
using detail::initial_record;

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// One task's training, resumable at any step boundary.
class TaskRun {
 public:
  TaskRun(const grid::Task& task, const TrainEnv& env)
      : task_(task),
        env_(env),
        data_(*env.data),
        method_(detail::method_of(task, data_)),
        phases_(method_->phases(task.train.epochs)),
        gen_(at::make_generator<at::CPUGeneratorImpl>(data_seed(task))),
        rec_(initial_record(task)),
        precision_(parse_precision(task.train.precision, task.label() + ": precision")) {
    if (data_.device() != env.device)
      throw Error(task.label() + ": the data is on " + data_.device().str() +
                  " but the task trains on " + env.device.str());
    if (data_.text && method_->perturbs_inputs() && !method_->text_generator())
      throw ConfigError(task.label() + ": method " + task.method +
                        " perturbs image inputs and has no text augmentation");
    // The generator steps would differ between the members of a gang (each samples its own
    // rows); the grid refuses it, this is the trainer's own guard.
    if (method_->text_generator() && in_gang())
      throw ConfigError(task.label() + ": " + task.method +
                        " on text trains its generator on one rank; give it gang_size = 1");
    torch::manual_seed(init_seed(task));
    net_ = models::make(task.model, data_.num_classes, data_.shape);
    if (!task.train.init.empty()) {
      // Pretrained weights (the grid checked the directory against the model at start).
      const auto loaded = models::init_from_hf_dir(dynamic_cast<models::BertClassifierImpl&>(*net_),
                                                   task.train.init);
      rec_.config["init"] = {{"dir", task.train.init},
                             {"tensors_loaded", loaded.loaded},
                             {"initialised", loaded.initialised}};
    }
    net_->to(env.device);  // after seeding: the initial weights are drawn on the CPU
    if (const auto* mate = method_->text_generator()) {
      const MateTokens tokens{data_.shape.vocab_size,
                              data_.shape.max_tokens,
                              data_.mask_id,
                              {data_.cls_id, data_.sep_id, data_.pad_id}};
      mate_.emplace(*mate, tokens, derive_seed(init_seed(task), "mate-generator"), env.device);
      rec_.config["generator"] = {
          {"model", mate->generator},
          {"init", mate->generator_init.empty() ? "random" : mate->generator_init}};
    }
    if (in_gang()) {
      // The members built the same weights from the same seed; the root's copy is the
      // reference all the same (nothing else guarantees an identical init on every device).
      broadcast_state(*env_.gang, *net_);
      grad_sync_.emplace(*env_.gang, net_->parameters());
    }
    if (!task.teacher_key.empty()) {
      teacher_.emplace(
          task.teacher_key, task.teacher_model, data_, *env.artifacts, task.train.eval_batch_size,
          precision_,
          parse_logit_dtype(task.train.teacher_logits, task.label() + ": teacher_logits"));
      rec_.config["teacher_logits"] = {{"source", cached_logits() ? "cache" : "online"}};
      if (cached_logits()) rec_.config["teacher_logits"]["dtype"] = task.train.teacher_logits;
    }
    last_save_ = Clock::now();
  }

  results::RunRecord run() {
    const auto start = Clock::now();
    std::optional<ResumeState> resumed = try_resume();
    for (int pi = pos_.phase; pi < static_cast<int>(phases_.size()); ++pi) {
      const auto& phase = phases_[static_cast<size_t>(pi)];
      if (!resumed) begin_phase(pi);
      for (int pe = resumed ? pos_.phase_epoch : 1; pe <= phase.epochs; ++pe) {
        pos_.phase = pi;
        pos_.phase_epoch = pe;
        run_epoch(phase, resumed, start);
        resumed.reset();
      }
    }
    // Final weights feed students (teachers) or the next link of a TAKD chain (assistants).
    if (is_root() && task_.provides_weights())
      save_net(*net_, *env_.artifacts, task_.key, results::checkpoint_name(-1));
    finish(start);
    if (is_root()) {
      // From here until the coordinator records it, the finished record is the task's checkpoint.
      detail::write_finished(*env_.artifacts, task_.key, rec_);
      env_.artifacts->remove(task_.key, kResumeFile);
    }
    return rec_;
  }

 private:
  // Dropout draws from the training device's default generator (seeded with the init seed before
  // the weights are drawn): resume.pt keeps its state so that a resumed text run continues bit for
  // bit. A gang saves the root's: the other members' dropout masks differ from the never-stopped
  // run's after a resume (their numbers stay those of a correct run, not bitwise the same).
  at::Generator device_generator() const {
    return at::globalContext().defaultGenerator(env_.device);
  }
  bool in_gang() const { return env_.gang != nullptr && env_.gang->size() > 1; }
  bool is_root() const { return !in_gang() || env_.gang->rank() == 0; }
  // Unaugmented batches and a method that feeds the teacher the student's batch as it is: the
  // teacher's logits come from the grid's cache; otherwise the teacher runs on every batch.
  bool cached_logits() const { return !augmented() && !method_->perturbs_inputs(); }
  // Crop and flip are image augmentations; the grid refuses them for text.
  bool augmented() const { return task_.train.augment && !data_.text; }
  int64_t steps_per_epoch() const {
    const int64_t n = data_.train.size(), bs = task_.train.batch_size;
    return (n + bs - 1) / bs;
  }

  // The checkpoint's cached logits before the epoch's first step. In a gang the root gets or
  // builds the file first and the members read it after a collective, instead of every member
  // computing it (all members hold the same checkpoint, so they call this alike).
  void prepare_teacher_logits(int checkpoint) {
    if (teacher_->holds_cached(checkpoint)) return;
    std::string file;
    if (is_root()) file = teacher_->prepare_cached(checkpoint);
    if (in_gang()) {
      std::vector<double> root_done{1};
      sum_over_gang(*env_.gang, root_done);
      if (!is_root()) file = teacher_->prepare_cached(checkpoint);
    }
    auto& files = rec_.config["teacher_logits"]["files"];
    if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
  }

  std::optional<ResumeState> try_resume() {
    const std::string path = env_.artifacts->path_for(task_.key, kResumeFile);
    bool saved = env_.artifacts->exists(task_.key, kResumeFile);
    // Every member checks the same file, so the gang agrees below on whether to resume.
    std::string why;
    if (saved && !results::sealed_file_intact(path, &why)) {
      spdlog::warn(
          "{}: not resuming from a damaged training state: {}; the task restarts from "
          "its start (the file is replaced by its next checkpoint)",
          task_.label(), why);
      saved = false;
    }
    // The root wrote the state; every member resumes from that one file, so the artifacts
    // directory must be one shared filesystem for the gang's hosts.
    if (in_gang() && any_member(*env_.gang, saved) && any_member(*env_.gang, !saved))
      throw IoError(task_.label() + ": " + env_.artifacts->path_for(task_.key, kResumeFile) +
                    " is visible on some members of the gang and not on others: the artifacts "
                    "directory must be on a filesystem shared by the gang's hosts");
    if (!saved) return std::nullopt;
    pos_ = peek_resume_position(path);
    opt_ = make_optimizer(*net_, task_.train);
    ResumeState s = load_resume_state(path, *net_, *opt_, aux_model());
    gen_.set_state(s.generator_state);
    if (s.device_generator_state.defined()) {
      at::Generator dropout = device_generator();
      std::lock_guard<std::mutex> lock(dropout.mutex());
      dropout.set_state(s.device_generator_state);
    }
    best_.from_json(s.best);
    best_.phase_weights = s.phase_best;
    rec_.curves = s.record.curves;
    rec_.checkpoints = s.record.checkpoints;
    rec_.evaluations = s.record.evaluations;
    // The cache files used before the stop (Pro-KD's earlier checkpoints).
    if (s.record.config.contains("teacher_logits"))
      rec_.config["teacher_logits"] = s.record.config["teacher_logits"];
    rec_.started = s.record.started;
    prior_seconds_ = s.wall_seconds;
    last_save_ = Clock::now();
    spdlog::info("{}: resuming at epoch {} step {} from {}", task_.label(), pos_.epoch + 1,
                 pos_.next_step, path);
    return s;
  }

  void begin_phase(int pi) {
    const auto& phase = phases_[static_cast<size_t>(pi)];
    if (phase.start_from_best_of_previous && best_.phase_weights)
      restore(*net_, *best_.phase_weights);
    if (!opt_ || phase.fresh_optimizer) opt_ = make_optimizer(*net_, task_.train);
    best_.phase_weights.reset();
    best_.phase_val = Best::kNone;
  }

  void run_epoch(const methods::Phase& phase, const std::optional<ResumeState>& resumed,
                 Clock::time_point start) {
    const auto epoch_start = Clock::now();
    const int64_t n = data_.train.size(), bs = task_.train.batch_size;
    const int64_t steps = steps_per_epoch();
    const int epoch = pos_.epoch + 1;
    methods::StepContext ctx;
    ctx.epoch = {epoch, task_.total_epochs, pos_.phase, pos_.phase_epoch, phase.epochs};
    ctx.steps_per_epoch = steps;
    // A per-step schedule records the lr of the epoch's last step.
    const double lr = lr_of_step(task_.train, pos_.phase_epoch, phase.epochs, steps, steps - 1);
    set_lr(*opt_, lr);
    const bool use_teacher = phase.uses_teacher && teacher_.has_value();
    // The checkpoint-search axis pins the teacher epoch; otherwise the method picks (Pro-KD walks
    // the trajectory, the others use the final weights).
    const int checkpoint = !use_teacher ? methods::kFinalCheckpoint
                           : task_.teacher_checkpoint >= 0
                               ? task_.teacher_checkpoint
                               : method_->teacher_checkpoint(ctx.epoch, task_.teacher_epochs);
    if (use_teacher && cached_logits()) prepare_teacher_logits(checkpoint);
    net_->train();
    // The order is drawn on the CPU generator (the same on every device), uploaded once.
    torch::Tensor order = resumed ? resumed->order : torch::randperm(n, gen_, torch::kLong);
    if (!resumed && data_.text && task_.train.length_buckets)
      order = bucket_by_length(order, data_.train.lengths.to(torch::kCPU), bs);
    const torch::Tensor order_on_device = order.to(env_.device);
    // A gang's saved sums are the gang's (interrupt() adds them up): the root carries them on.
    const bool carry = resumed && is_root();
    EpochSums sums(env_.device, carry ? resumed->loss_sum : 0, carry ? resumed->correct : 0);
    const double seconds_before = resumed ? resumed->epoch_seconds : 0;
    for (int64_t s = resumed ? resumed->pos.next_step : 0; s < steps; ++s) {
      // {stop requested, checkpoint due by the clock}. A signal reaches the members at different
      // moments and their clocks differ: they agree at each step boundary in one collective, the
      // root's clock deciding the checkpoint.
      std::vector<double> flags{
          (env_.should_stop ? env_.should_stop() : stop_requested()) ? 1.0 : 0.0,
          is_root() && checkpoint_due() ? 1.0 : 0.0};
      if (in_gang()) sum_over_gang(*env_.gang, flags);
      if (flags[0] > 0) interrupt(order, s, sums, seconds_before + since(epoch_start), start);
      // Every epoch boundary (the epoch's order is drawn: the state is that of a stop here) and
      // the clock's step boundaries; an epoch just resumed from is already on disk.
      if ((s == 0 && pos_.epoch > 0 && !resumed) || flags[1] > 0)
        save_checkpoint(order, s, sums, seconds_before + since(epoch_start), start);
      if (s == 0) test_pause_point("first-step");
      ctx.step_in_epoch = s;
      auto idx = order_on_device.slice(0, s * bs, std::min(n, (s + 1) * bs));
      models::Inputs x = batch(data_, data_.train, idx);
      auto y = data_.train.y.index_select(0, idx);
      // Every member augments the whole global batch, so the generator advances as in a 1-rank
      // run, then keeps its own rows.
      if (augmented()) x.images = datasets::crop_flip(x.images, task_.train.augment_padding, gen_);
      const int64_t global_rows = idx.size(0);
      if (in_gang()) {
        const auto share = split_batch(global_rows, env_.gang->rank(), env_.gang->size());
        idx = idx.slice(0, share.begin, share.end);
        x = x.slice(share.begin, share.end);
        y = y.slice(0, share.begin, share.end);
      }
      // Combined-KD on text: a generator batch trains the generator only; the student's loss on
      // it is still summed (without gradient) and the student takes no step.
      const bool generator_batch =
          mate_ && use_teacher && mate_->generator_turn(global_step(s, steps) - 1);
      opt_->zero_grad();
      if (idx.size(0) > 0) {
        if (generator_batch) adversary_step(x, checkpoint);
        std::optional<torch::NoGradGuard> no_student_grad;
        if (generator_batch) no_student_grad.emplace();
        const auto [loss, logits] = step_loss(x, y, idx, use_teacher, checkpoint, ctx);
        // Each member's mean loss weighted by its share of the batch: summed over the gang, the
        // gradients are those of the global batch's mean loss.
        if (!generator_batch) {
          if (in_gang())
            (loss * (static_cast<double>(idx.size(0)) / static_cast<double>(global_rows)))
                .backward();
          else
            loss.backward();
        }
        sums.add(loss, logits, y, s);
      } else {
        // No rows for this member in a last batch smaller than the gang: zeros to the sum.
        for (auto& p : net_->parameters()) p.mutable_grad() = torch::Tensor();
      }
      if (grad_sync_) grad_sync_->all_reduce();
      // After the all-reduce: every member of a gang clips the same global gradient.
      if (task_.train.max_grad_norm > 0)
        clip_gradients(net_->parameters(), task_.train.max_grad_norm);
      if (per_step(task_.train.lr_schedule))
        set_lr(*opt_, lr_of_step(task_.train, pos_.phase_epoch, phase.epochs, steps, s));
      if (!generator_batch) opt_->step();
      // An evaluation point of eval_steps, before the next step boundary saves the state (a run
      // resumed there has it); the epoch's last step is evaluated by end_epoch.
      const int64_t g = global_step(s, steps);
      if (s + 1 < steps && evaluation_due(g)) {
        const EvalPoint p = evaluate_point();
        record_point(p, epoch, g, steps);
        consider_best(p, epoch, g);
      }
    }
    const auto [loss_sum, correct] = epoch_totals(sums, epoch);
    const double train_acc = data_.regression() ? std::numeric_limits<double>::quiet_NaN()
                                                : correct / static_cast<double>(n);
    end_epoch(epoch, lr, loss_sum / static_cast<double>(n), train_acc,
              seconds_before + since(epoch_start));
  }

  // The epoch's one read from the device besides evaluation: loss sum and correct count. A gang
  // adds its members' sums and agrees on the first non-finite step, so that its members fail or
  // go on together (one member leaving the collectives alone would leave the others waiting).
  std::pair<double, double> epoch_totals(const EpochSums& sums, int epoch) {
    std::vector<double> totals{sums.loss.item<double>(),
                               static_cast<double>(sums.correct.item<int64_t>())};
    const int64_t mine = sums.bad_step.item<int64_t>();
    int64_t bad = mine;
    if (in_gang()) {
      sum_over_gang(*env_.gang, totals);
      bad = min_over_gang(*env_.gang, mine < 0 ? std::numeric_limits<int64_t>::max() : mine);
      if (bad == std::numeric_limits<int64_t>::max()) bad = -1;
    }
    if (bad >= 0)
      throw NonFiniteLoss(
          task_.label() + ": loss became " +
              (bad == mine ? std::to_string(sums.bad_loss.item<double>())
                           : std::string("non-finite on another member of the gang")) +
              " at epoch " + std::to_string(epoch) + " step " + std::to_string(bad + 1),
          epoch, bad + 1);
    return {totals[0], totals[1]};
  }

  // A forward pass at the task's precision; logits come back as float32 so that every method's
  // loss is computed in full precision.
  torch::Tensor forward(models::NetImpl& net, const models::Inputs& x) {
    AutocastScope autocast(env_.device, precision_);
    return net.forward(x).to(torch::kFloat);
  }

  // Loss and the student's logits on the clean batch (for train accuracy).
  std::pair<torch::Tensor, torch::Tensor> step_loss(const models::Inputs& x, const torch::Tensor& y,
                                                    const torch::Tensor& idx, bool use_teacher,
                                                    int checkpoint,
                                                    const methods::StepContext& ctx) {
    if (!method_->perturbs_inputs()) {
      torch::Tensor t_logits;
      if (use_teacher) {
        AutocastScope autocast(env_.device, precision_);
        t_logits = teacher_->batch_logits(checkpoint, idx, x, !cached_logits()).to(torch::kFloat);
      }
      auto logits = forward(*net_, x);
      return {method_->loss(logits, t_logits, y, ctx), logits};
    }
    // Views (Combined-KD): the method perturbs inputs against both networks (on text the
    // generator samples x~); teacher logits are computed online per view, never from the cache.
    std::vector<models::Inputs> views;
    if (mate_) {
      views.push_back(x);
      if (use_teacher) views.push_back(mate_->sample(x));
    } else {
      const methods::ForwardFn student = [&](const torch::Tensor& v) { return forward(*net_, v); };
      methods::ForwardFn teacher_fn;
      if (use_teacher)
        teacher_fn = [&](const torch::Tensor& v) { return forward(teacher_->net(checkpoint), v); };
      for (auto& v : method_->input_views(x.images, student, teacher_fn, ctx))
        views.emplace_back(v);
    }
    std::vector<torch::Tensor> s_logits, t_logits;
    for (const auto& v : views) {
      s_logits.push_back(forward(*net_, v));
      if (use_teacher) {
        torch::NoGradGuard no_grad;
        t_logits.push_back(forward(teacher_->net(checkpoint), v));
      }
    }
    return {method_->loss_on_views(s_logits, t_logits, y, ctx), s_logits.front()};
  }

  // One step of the text generator (Combined-KD) against the student and the checkpoint's teacher.
  void adversary_step(const models::Inputs& x, int checkpoint) {
    mate_->adversary_step(
        x, [&](const models::Inputs& v) { return forward(*net_, v); },
        [&](const models::Inputs& v) { return forward(teacher_->net(checkpoint), v); });
  }

  // The generator's weights and optimizer ride along in resume.pt (text Combined-KD only).
  const AuxModel* aux_model() {
    if (!mate_) return nullptr;
    if (!aux_) aux_.emplace(AuxModel{mate_->net(), mate_->optimizer()});
    return &*aux_;
  }

  // The run's optimizer steps so far, 1-based and counted over every phase, at step s (0-based)
  // of the epoch in progress.
  int64_t global_step(int64_t s, int64_t steps) const { return pos_.epoch * steps + s + 1; }
  bool evaluation_due(int64_t g) const {
    return task_.train.eval_steps > 0 && g % task_.train.eval_steps == 0;
  }

  // Validation and test scores of the weights as they are. In a gang the root evaluates (its
  // BatchNorm running statistics are the ones saved) and the members take its numbers, so every
  // member makes the same best-point decisions.
  EvalPoint evaluate_point() {
    const int64_t eb = task_.train.eval_batch_size;
    std::vector<double> eval{0, 0, 0, 0};
    if (is_root()) {
      test_pause_point("evaluation");
      AutocastScope autocast(env_.device, precision_);
      const Scores v = evaluate(*net_, data_, data_.val, eb);
      const Scores t = evaluate(*net_, data_, data_.test, eb);
      eval = {v.accuracy, t.accuracy, v.metric, t.metric};
    }
    if (in_gang()) broadcast_values(*env_.gang, eval);
    return {eval[0], eval[1], eval[2], eval[3]};
  }

  // One entry of the record's `evaluations`, only when eval_steps asks for points between epoch
  // ends (with epoch ends only, the curves say it all and records stay as they were).
  void record_point(const EvalPoint& p, int epoch, int64_t g, int64_t steps) {
    if (task_.train.eval_steps <= 0) return;
    rec_.evaluations.push_back(
        {{"step", g},
         {"epoch", epoch},
         {"epoch_fraction", static_cast<double>(g) / static_cast<double>(steps)},
         {"val_acc", p.val_acc},
         {"test_acc", p.test_acc},
         {"val_metric", p.val},
         {"test_metric", p.test}});
  }

  // Model selection over every evaluation point, in order: strictly better validation metric
  // wins (the earliest point keeps a tie). The running phase's best weights are kept when the
  // next phase restarts from them (Annealing-KD's stage II).
  void consider_best(const EvalPoint& p, int epoch, int64_t g) {
    if (p.val > best_.val) {
      best_.val = p.val, best_.test_at_val = p.test, best_.epoch = epoch;
      best_.val_acc = p.val_acc, best_.test_acc_at_val = p.test_acc;
      best_.step = task_.train.eval_steps > 0 ? g : 0;
    }
    best_.best_test = std::max(best_.best_test, p.test);
    best_.best_test_acc = std::max(best_.best_test_acc, p.test_acc);
    const size_t next = static_cast<size_t>(pos_.phase) + 1;
    if (p.val > best_.phase_val) {
      best_.phase_val = p.val;
      if (next < phases_.size() && phases_[next].start_from_best_of_previous)
        best_.phase_weights = snapshot(*net_);
    }
  }

  // `seconds` so far covers training; the recorded epoch time includes evaluation.
  void end_epoch(int epoch, double lr, double train_loss, double train_acc, double seconds) {
    const auto eval_start = Clock::now();
    const EvalPoint p = evaluate_point();
    const double val_acc = p.val_acc, test_acc = p.test_acc, val = p.val, test = p.test;
    seconds += since(eval_start);
    auto& c = rec_.curves;
    c.epoch.push_back(epoch);
    c.train_loss.push_back(train_loss);
    c.train_acc.push_back(train_acc);
    c.val_acc.push_back(val_acc);
    c.test_acc.push_back(test_acc);
    c.val_metric.push_back(val);
    c.test_metric.push_back(test);
    c.lr.push_back(lr);
    c.seconds.push_back(seconds);
    const int64_t steps = steps_per_epoch();
    record_point(p, epoch, epoch * steps, steps);
    consider_best(p, epoch, epoch * steps);
    const auto& keep = task_.keep_checkpoints;
    const bool kept = std::find(keep.begin(), keep.end(), epoch) != keep.end();
    if (kept) {
      if (is_root()) save_net(*net_, *env_.artifacts, task_.key, results::checkpoint_name(epoch));
      rec_.checkpoints[std::to_string(epoch)] = {{"val_acc", val_acc}, {"test_acc", test_acc}};
      if (data_.metric != "accuracy")
        rec_.checkpoints[std::to_string(epoch)].update(
            {{"val_metric", val}, {"test_metric", test}});
    }
    pos_.epoch = epoch;
    // After save_net returned: the checkpoint is under its final name, so reporting it lets the
    // coordinator start its students (docs/design.md §3.6, pipelining).
    if (env_.on_epoch && is_root())
      env_.on_epoch({&task_, epoch, task_.total_epochs, train_loss, val_acc, seconds, kept});
  }

  bool checkpoint_due() const {
    const double minutes = task_.train.checkpoint_minutes;
    return minutes > 0 && since(last_save_) >= 60 * minutes;
  }

  // The state at a step boundary. A collective in a gang: every member calls it.
  ResumeState state_at(const torch::Tensor& order, int64_t next_step, const EpochSums& sums,
                       double epoch_seconds, Clock::time_point start) {
    ResumeState s;
    s.pos = pos_;
    s.pos.next_step = next_step;
    s.order = order;
    s.generator_state = gen_.get_state();
    {
      at::Generator dropout = device_generator();
      std::lock_guard<std::mutex> lock(dropout.mutex());
      s.device_generator_state = dropout.get_state();
    }
    std::vector<double> totals{sums.loss.item<double>(),
                               static_cast<double>(sums.correct.item<int64_t>())};
    if (in_gang()) sum_over_gang(*env_.gang, totals);
    s.loss_sum = totals[0];
    s.correct = static_cast<int64_t>(totals[1]);
    s.epoch_seconds = epoch_seconds;
    s.wall_seconds = prior_seconds_ + since(start);
    s.best = best_.to_json();
    s.record = rec_;
    s.phase_best = best_.phase_weights;
    return s;
  }

  // A gang's members hold the same weights, optimizer state and position: the root saves.
  void save_state(const ResumeState& s) {
    if (is_root()) {
      const auto t = Clock::now();
      save_resume_state(s, *net_, *opt_, *env_.artifacts, task_.key, aux_model());
      spdlog::debug("{}: training state saved at epoch {} step {} ({:.3f} s)", task_.label(),
                    s.pos.epoch + 1, s.pos.next_step, since(t));
    }
    last_save_ = Clock::now();
  }

  // A periodic checkpoint: a kill -9 from here on loses at most the work since this step.
  void save_checkpoint(const torch::Tensor& order, int64_t next_step, const EpochSums& sums,
                       double epoch_seconds, Clock::time_point start) {
    save_state(state_at(order, next_step, sums, epoch_seconds, start));
  }

  [[noreturn]] void interrupt(const torch::Tensor& order, int64_t next_step, const EpochSums& sums,
                              double epoch_seconds, Clock::time_point start) {
    save_state(state_at(order, next_step, sums, epoch_seconds, start));
    throw Interrupted(task_.label() + ": stopped by " + stop_reason() + " at epoch " +
                      std::to_string(pos_.epoch + 1) + " step " + std::to_string(next_step) +
                      "; state saved for resume");
  }

  void finish(Clock::time_point start) {
    detail::finish_record(rec_, best_, data_, env_, prior_seconds_ + since(start), task_.label());
  }

  const grid::Task& task_;
  const TrainEnv& env_;
  const PreparedData& data_;
  std::unique_ptr<methods::Method> method_;
  std::vector<methods::Phase> phases_;
  at::Generator gen_;
  results::RunRecord rec_;
  models::Net net_;
  std::optional<TeacherSource> teacher_;
  std::optional<GradientSync> grad_sync_;  // gangs only
  std::optional<MateGenerator> mate_;      // Combined-KD on text
  std::optional<AuxModel> aux_;            // mate_'s state for resume.pt
  std::unique_ptr<torch::optim::Optimizer> opt_;
  Precision precision_;
  LoopPosition pos_;
  Best best_;
  double prior_seconds_ = 0;
  Clock::time_point last_save_;  // of the training state (or the start): checkpoint_minutes
};

}  // namespace

results::RunRecord run_task(const grid::Task& task, const TrainEnv& env) {
  return TaskRun(task, env).run();
}

}  // namespace kdbench::train
