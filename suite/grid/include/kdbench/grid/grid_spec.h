#pragma once
// GridSpec: the typed form of a grid.ini (docs/design.md §5). Reading lives in parse_grid.cpp,
// cross-field validation in validate_grid.cpp, expansion into tasks in task_graph.cpp.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kdbench/methods/param_map.h"

namespace kdbench::grid {

// [train]/[teacher]/[student] lr_schedule, lr_milestones, lr_gamma, warmup_steps and
// warmup_ratio; see train::lr_at (the epoch schedules) and train::lr_at_step (linear).
struct LrSchedule {
  std::string kind = "step";                  // step | cosine | constant | linear
  std::vector<double> milestones{0.5, 0.75};  // step: fractions of the phase's epochs
  // step: explicit 1-based epochs of the phase (lr_milestones), as PyTorch's MultiStepLR. When
  // set, `milestones` is empty; task keys include them only when set.
  std::vector<int> milestone_epochs;
  double gamma = 0.1;  // step: factor at each milestone
  // linear only (checked by the parser): warm-up length in optimizer steps, or as a fraction of
  // the phase's steps (rounded up, as Hugging Face's TrainingArguments). At most one is > 0;
  // task keys include them only when > 0.
  int64_t warmup_steps = 0;
  double warmup_ratio = 0;
};

// Training hyper-parameters of one role ([train] defaults, [teacher]/[student] overrides).
struct TrainConfig {
  int epochs = 10;
  int batch_size = 128;
  int eval_batch_size = 256;      // larger batches are slower on CPU (cache), see bench/README.md
  std::string optimizer = "sgd";  // sgd | adamw (kdbench/train/optimizer.h)
  double lr = 0.05;
  double momentum = 0.9;       // sgd only
  double weight_decay = 5e-4;  // sgd: L2 in the gradient; adamw: decoupled, weights only
  bool nesterov = false;       // sgd only
  // adamw only; task keys include them only for adamw.
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double adam_eps = 1e-8;
  // > 0: the global gradient's L2 norm is clipped to this before each step; 0 = off (not in the
  // task key).
  double max_grad_norm = 0;
  LrSchedule lr_schedule;
  bool augment = true;  // random crop (pad 4) + horizontal flip
  int augment_padding = 4;
  // Text: batches of similar lengths (less padding), as Hugging Face's group_by_length does;
  // train/prepared_data.h bucket_by_length. Changes the batches, so it is part of the key.
  bool length_buckets = false;
  // Text: a Hugging Face BERT directory (config.json, model.safetensors) whose weights start the
  // role's models (models/bert.h init_from_hf_dir); empty = BERT's random initialisation.
  std::string init;
  // fp32 | bf16 (autocast forward passes, kdbench/train/precision.h); checked by the parser.
  std::string precision = "fp32";
  // [student] only: how the teacher-logit cache stores the teacher's logits, fp32 | fp16
  // (kdbench/train/logit_cache.h). fp16 rounds them, so it is part of the student's key.
  std::string teacher_logits = "fp32";
  // > 0: validation and test are also evaluated every this many optimizer steps (counted over
  // the whole run), and the best point is selected among all evaluations; 0 = at epoch ends only.
  // Selects other weights, so it is part of the task key when > 0.
  int64_t eval_steps = 0;
  // Training state is saved at every epoch boundary and, when > 0, also mid-epoch at the first
  // step boundary this many minutes after the last save (docs/design.md §3.7). Not part of any
  // task key: it changes what a kill -9 loses, never the result.
  double checkpoint_minutes = 0;
};

// [pretrain] (docs/text.md, "Pretraining in the grid"): which of a text grid's models start from
// an encoder masked-LM-pretrained by the grid itself, on what and how. One `pretrain` task per
// model (suite/grid/graph_builder.cpp); every teacher, student, assistant and baseline of that
// model depends on it and starts from its saved encoder as `init = DIR` does.
struct PretrainSpec {
  std::vector<std::string> models;  // empty: the grid has no [pretrain] section
  // "grid": the grid's own training split (validated on its validation split); otherwise
  // directories written by `kdbench text-data` (their train.tsv trains, their dev.tsv validates),
  // each named after its task (spam, spam-pair, sotu-party, review-sentiment).
  std::vector<std::string> corpus{"grid"};
  int64_t steps = 1000;
  int64_t eval_every = 100;
  // Validation sequences scored at every curve point: this many, evenly spaced over the
  // validation split(s) (a large corpus's dev split costs more than the training steps between
  // points); 0 = all of them.
  int64_t val_sequences = 2000;
  int64_t max_seq_length = 0;  // 0: the grid's max_seq_length
  double mask_probability = 0.15;
  uint64_t seed = 0;
  // batch_size, lr, weight_decay, warmup_ratio, max_grad_norm: AdamW with the linear schedule,
  // as BERT was pretrained (the rest of TrainConfig is unused).
  TrainConfig train;
  bool pretrains(const std::string& model) const {
    for (const auto& m : models)
      if (m == model) return true;
    return false;
  }
  bool grid_corpus() const { return corpus.size() == 1 && corpus.front() == "grid"; }
};

struct GridSpec {
  std::string path;      // the grid file (for messages)
  std::string ini_text;  // the full text, recorded as provenance
  std::string name;
  std::string dataset = "fashion-mnist";
  std::string data_dir;
  std::vector<std::string> teachers, students, methods;
  std::vector<int64_t> seeds;
  std::vector<int64_t> teacher_seeds;  // default: seeds; student seed i uses teacher_seeds[i % n]
  std::string results;
  std::string artifacts;
  // Data: shared by every task so teachers and students see the same split.
  double val_fraction = 0.1;
  uint64_t split_seed = 0;
  int64_t train_subset = 0;
  int64_t test_subset = 0;
  // Text datasets (docs/text.md): the tokenizer, its vocabulary file (wordpiece) or the size of
  // the vocabulary trained on the grid's training split (sentencepiece), the longest sequence.
  std::string tokenizer = "wordpiece";
  std::string vocab;
  int64_t vocab_size = 8000;
  int64_t max_seq_length = 128;
  // The metric that selects each run's best epoch: the task's own by default (MCC for CoLA, F1
  // for MRPC/QQP, Pearson for STS-B), or another the task reports (datasets::selectable_metrics).
  std::string metric = "accuracy";
  int threads = 0;  // intra-op threads per rank; 0 = cores / ranks on the node
  TrainConfig teacher, student;
  std::vector<int> teacher_keep_checkpoints;  // [teacher] checkpoints (epochs; final always kept)
  // [grid] teacher_checkpoints: the checkpoint-search axis. Every student with a teacher runs
  // against each listed teacher epoch (-1 = final). Default: {-1}.
  std::vector<int> teacher_checkpoints{-1};
  // TAKD structure ([method.takd] assistants / links), kept out of the method's own parameters:
  // the chain T -> assistants... -> S is part of the DAG.
  std::vector<std::string> takd_assistants;
  // assistants = auto: the assistant is chosen per student cell among the grid's models (teachers
  // and students) strictly between teacher and student in size, by the baselines' accuracies.
  bool takd_auto = false;
  std::map<std::string, methods::ParamMap> takd_links;  // "T>A" -> {lambda, temperature} overrides
  std::map<std::string, methods::ParamMap> method_params;  // [method.NAME] sections, raw
  // Gangs: ranks per task. [teacher]/[student] gang_size by role ([train] gang_size for both),
  // [gang_size] MODEL = k per model (wins over the role). Not part of any task key.
  int teacher_gang_size = 1, student_gang_size = 1;
  std::map<std::string, int> model_gang_size;
  // [init] MODEL = DIR: the Hugging Face directory every task of MODEL starts from, in any role;
  // wins over [teacher|student] init (text grids only; part of those tasks' keys by content).
  std::map<std::string, std::string> model_init;
  // Failure policy ([grid] retries, on_failure; docs/design.md §3.7): a FAILED task is run again
  // up to `retries` times in the same job (never one failed deterministically, e.g. by a
  // non-finite loss); on_failure = stop starts no new task after a failure (running ones finish).
  int retries = 1;
  std::string on_failure = "continue";
  // [grid] stall_factor (docs/design.md §3.6): a running task is reported as stalled once it has
  // run this many times its estimated duration. Execution only: not part of any task key.
  double stall_factor = 3;
  // [grid] pipeline (docs/design.md §3.6): a student of teacher checkpoint k starts once the
  // teacher has sealed epoch k's checkpoint, not when the whole teacher is DONE. Scheduling only:
  // not part of any task key (results are identical either way).
  bool pipeline = true;
  // [grid] fuse = K (docs/design.md §3.6, "Fused students"): an idle rank trains up to K
  // compatible ready single-rank tasks (same small image student, epochs, batch size, schedule;
  // train::fuse_refusal) as one fused model. 1 = off. Execution only: not part of any task key (a
  // fused member's result equals its solo run's).
  int fuse = 1;
  PretrainSpec pretrain;  // [pretrain]
};

// The largest [grid] fuse: beyond it a fused group's one model only grows (nothing to gain).
constexpr int kMaxFuse = 64;

// gang_size of a task training `model` in the teacher role or another (student, assistant,
// baseline: they train with [student]'s config).
inline int gang_size_of(const GridSpec& g, const std::string& model, bool teacher_role) {
  const auto it = g.model_gang_size.find(model);
  if (it != g.model_gang_size.end()) return it->second;
  return teacher_role ? g.teacher_gang_size : g.student_gang_size;
}

}  // namespace kdbench::grid
