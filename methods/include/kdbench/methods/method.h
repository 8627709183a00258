#pragma once
// The KD method interface (docs/design.md §4). A Method turns logits into a loss and tells the
// trainer what it needs: a teacher or not, which teacher checkpoint at which epoch, its training
// phases. Methods never see communication, files or the grid: the trainer drives them.
#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kdbench/core/errors.h"
#include "kdbench/methods/mate.h"
#include "kdbench/methods/param_map.h"

namespace kdbench::methods {

// What a method may validate its parameters against (e.g. Annealing-KD needs E1 >= tau_max).
struct TrainShape {
  int epochs = 1;  // the student's epochs as configured in the grid
  int batch_size = 1;
  int num_classes = 10;
  // One real-valued output trained on real targets (STS-B; num_classes is 1). Methods whose loss
  // needs class probabilities (DKD, DIST, Combined-KD) refuse it when they are made.
  bool regression = false;
  // The grid trains on token sequences (Combined-KD's augmentation then is MATE-KD's generator,
  // with its own parameters).
  bool text = false;
};

// A training phase. Most methods have one; Annealing-KD has two (stage II restarts from the best
// stage-I checkpoint with a fresh optimizer and restarted LR schedule, and uses no teacher).
struct Phase {
  std::string name = "train";
  int epochs = 1;
  bool uses_teacher = true;
  bool start_from_best_of_previous = false;
  bool fresh_optimizer = false;
};

// Where the trainer is. Epochs are 1-based, as in the papers' schedules.
struct EpochContext {
  int epoch = 1;  // over the whole run, 1..total_epochs
  int total_epochs = 1;
  int phase_index = 0;
  int phase_epoch = 1;  // within the phase, 1..phase_epochs
  int phase_epochs = 1;
};

struct StepContext {
  EpochContext epoch;
  int64_t step_in_epoch = 0;
  int64_t steps_per_epoch = 1;
};

// Teacher checkpoint selector: an epoch number of the teacher task, or kFinalCheckpoint.
constexpr int kFinalCheckpoint = -1;

// Forward function of a model (used by methods that perturb inputs against both networks).
using ForwardFn = std::function<torch::Tensor(const torch::Tensor&)>;

class Method {
 public:
  virtual ~Method() = default;

  virtual std::string name() const = 0;
  // Whether any phase needs teacher logits at all (nokd: no; the DAG then has no teacher edge).
  virtual bool uses_teacher() const = 0;
  // Every resolved parameter, the reduction convention included; stored with the run.
  virtual nlohmann::json params_json() const = 0;
  // Named reading of the method where the paper is ambiguous (stored as `method_variant`).
  virtual std::string variant() const { return "standard"; }

  // Phases for a run of `epochs` configured epochs. Default: one phase using the teacher iff
  // uses_teacher().
  virtual std::vector<Phase> phases(int epochs) const;

  // The teacher checkpoint to distill from at this student epoch; `teacher_epochs` = E_T.
  virtual int teacher_checkpoint(const EpochContext& ctx, int teacher_epochs) const {
    return kFinalCheckpoint;
  }
  // Teacher epochs this method reads besides the final weights (the teacher task must keep them).
  virtual std::vector<int> required_teacher_checkpoints(int teacher_epochs,
                                                        int student_epochs) const {
    return {};
  }

  // Optional input transformation before the step (Combined-KD's vision variant: adversarial
  // perturbation). Default: identity.
  virtual bool perturbs_inputs() const { return false; }
  virtual torch::Tensor perturb_inputs(const torch::Tensor& x, const ForwardFn& student,
                                       const ForwardFn& teacher, const StepContext& ctx) const {
    return x;
  }

  // (optional) Text methods whose augmentation is MATE-KD's masked-LM generator (Combined-KD on
  // text): its parameters; the trainer builds and trains the generator, masks and samples each
  // batch, and passes the views {x, x~} to loss_on_views() as for input_views(). Default: none.
  virtual const MateParams* text_generator() const { return nullptr; }

  // Views of one batch, for methods whose loss needs logits of several versions of the same
  // inputs (Combined-KD: the clean batch and its adversarial perturbation). Protocol for the
  // trainer: when perturbs_inputs() is true, call input_views(), forward the student (with grad)
  // and, if the phase uses a teacher, the teacher (eval, no grad) on every view, and pass the
  // logits in the same order to loss_on_views(); teacher logits cannot come from the logit cache
  // then. When perturbs_inputs() is false the trainer may call loss() directly: the defaults
  // below make both paths identical (one view = perturb_inputs(x), loss() on it).
  // `student`/`teacher` must let gradients reach their input (no NoGradGuard inside); methods
  // differentiate with respect to the input only and never touch parameter gradients.
  virtual std::vector<torch::Tensor> input_views(const torch::Tensor& x, const ForwardFn& student,
                                                 const ForwardFn& teacher,
                                                 const StepContext& ctx) const {
    return {perturb_inputs(x, student, teacher, ctx)};
  }
  // `teacher_logits` is empty (or holds undefined tensors) when the phase uses no teacher.
  virtual torch::Tensor loss_on_views(const std::vector<torch::Tensor>& student_logits,
                                      const std::vector<torch::Tensor>& teacher_logits,
                                      const torch::Tensor& labels, const StepContext& ctx) const {
    if (student_logits.empty()) {
      throw MethodError("loss_on_views: the trainer passed no student logits");
    }
    const torch::Tensor teacher = teacher_logits.empty() ? torch::Tensor() : teacher_logits[0];
    return loss(student_logits.front(), teacher, labels, ctx);
  }

  // The training loss of one batch. `teacher_logits` is undefined when the phase uses no teacher.
  // Must be finite for any finite logits (log-space forms only). A phase that needs a teacher
  // throws MethodError when `teacher_logits` is undefined or not of the student logits' shape.
  virtual torch::Tensor loss(const torch::Tensor& student_logits,
                             const torch::Tensor& teacher_logits, const torch::Tensor& labels,
                             const StepContext& ctx) const = 0;
};

}  // namespace kdbench::methods
