#pragma once
// Masked-LM pretraining of a BERT encoder (docs/text.md, "Masked-LM pretraining"): the machinery
// of the DAG's pretraining node. Batches of the training split in a seeded random order, masked
// with BERT's rule (kdbench/datasets/mlm_masking.h), the loss of the masked positions only;
// AdamW (or SGD), the linear schedule with warm-up and gradient clipping exactly as the text
// trainer applies them (kdbench/train/optimizer.h, lr_schedule.h). Every eval_every steps the
// validation split is masked with a FIXED seed (the same positions and replacements at every
// point, so the points are comparable) and scored. Deterministic on the CPU: the same model seed,
// config and data give bitwise-equal curves and weights.
// In a gang (PretrainConfig::gang) the members take the 1-rank run's steps data-parallel, as the
// fine-tune trainer does (kdbench/train/gang_sync.h): every member draws the whole global batch
// and its masks, trains its split_batch rows, and the gradients summed over the gang are the
// global batch's; the root evaluates and the members take its numbers.
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "kdbench/datasets/mlm_masking.h"
#include "kdbench/datasets/text_data.h"
#include "kdbench/grid/grid_spec.h"
#include "kdbench/models/bert_mlm.h"

namespace kdbench::comm {
class Communicator;
}

namespace kdbench::train {

// Mean cross-entropy over the positions whose label is not kIgnoredLabel; logits ...×V, labels
// the leading shape (K×V with K labels, or N×T×V with N×T). 0 (and no gradient) when every
// position is ignored, where PyTorch's mean would be NaN: a short batch may mask nothing.
torch::Tensor mlm_loss(const torch::Tensor& logits, const torch::Tensor& labels);
// Share of the labelled positions whose argmax is the label; NaN when none is labelled.
double mlm_accuracy(const torch::Tensor& logits, const torch::Tensor& labels);

struct PretrainConfig {
  int64_t steps = 1000;      // optimizer steps; the data repeats in a fresh order as needed
  int64_t eval_every = 100;  // a curve point every this many steps, and after the last step
  // optimizer, lr, weight_decay, adam_*, max_grad_norm, lr_schedule (linear: warm-up and decay
  // over `steps`; constant; the epoch schedules apply their base lr), batch_size and
  // eval_batch_size are read; the rest of TrainConfig is not.
  grid::TrainConfig train;
  datasets::MlmMasking masking;
  uint64_t seed = 0;                   // data order and training masks
  uint64_t eval_masking_seed = 12345;  // the validation masks, the same at every point
  // Only masked positions reach the vocabulary projection (BertMaskedLMImpl::masked_logits);
  // false projects every position (the same loss, slower: a measurement baseline).
  bool gather_masked = true;
  torch::Device device{torch::kCPU};
  // Polled at every step boundary (the kdbench worker: the stop signal's flag); true throws
  // Interrupted there (in a gang: on every member when any member's is true). Empty: never.
  std::function<bool()> should_stop;
  // The gang that trains this model data-parallel; nullptr (or a gang of 1): this rank alone.
  // Every member calls pretrain_mlm with the same model seed, data and config. Dropout draws
  // from each member's own generator, so only a dropout-free model reproduces the 1-rank run.
  comm::Communicator* gang = nullptr;
  // Resume (kdbench/train/pretrain_state.h): the state is saved to this file at every curve point
  // (in a gang by the root; the file must be on a filesystem the gang shares), and a run that
  // finds it intact at its start continues from it: on one rank bit for bit as if never stopped.
  // A damaged file is ignored with a warning. Empty: no state; a stopped run restarts at step 0.
  std::string state_file;
};

struct MlmPoint {
  int64_t step = 0;       // optimizer steps done
  double train_loss = 0;  // mean of the steps' losses since the previous point
  double val_loss = 0;    // over every masked validation position
  double val_accuracy = 0;
  double lr = 0;       // of the interval's last step
  double seconds = 0;  // of the interval: its training steps and this evaluation
};

struct PretrainResult {
  std::vector<MlmPoint> curve;  // ceil(steps / eval_every) points
  double seconds = 0;           // training and evaluation, wall clock
};

// Validation loss and accuracy over all masked positions of `data` (batches of `batch_size` in
// order), masked with a generator seeded `masking_seed`; the model in eval mode, no gradients.
struct MlmScore {
  double loss = 0, accuracy = 0;
  int64_t positions = 0;
};
MlmScore evaluate_mlm(models::BertMaskedLMImpl& model, const datasets::TokenSet& data,
                      const datasets::MlmMasking& masking, uint64_t masking_seed,
                      int64_t batch_size, const torch::Device& device = torch::kCPU);

// Trains `model` (built and seeded by the caller: dropout draws from the device's default
// generator, as in the text trainer) on `train`, evaluating on `val`. ConfigError for steps or
// eval_every < 1, a batch size < 1, bad masking settings or an empty split; NonFiniteLoss (epoch
// 1, the step) when the loss of a curve interval is not finite.
PretrainResult pretrain_mlm(models::BertMaskedLMImpl& model, const datasets::TokenSet& train,
                            const datasets::TokenSet& val, const PretrainConfig& config);

}  // namespace kdbench::train
