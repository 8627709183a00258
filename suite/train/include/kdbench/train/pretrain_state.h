#pragma once
// The state of a masked-LM pretraining at a curve point (kdbench/train/pretrain_mlm.h), saved so
// that a stopped pretraining continues instead of starting over: the model with its MLM head, the
// optimizer (AdamW's moments and step counts), the steps done, the curve so far, the pass's data
// order and position in it, and the states of the order and mask generators and of dropout's
// (the device's default generator). One file, written to a temporary, sealed (checksummed) and
// renamed, so it is there whole or not at all. Resuming from it continues bit for bit on one rank.
#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

#include "kdbench/train/pretrain_mlm.h"

namespace kdbench::train {

// The pretrain task's state file in its artifacts directory, removed when the task is DONE.
constexpr const char* kPretrainStateFile = "pretrain-state.pt";

struct PretrainState {
  int64_t step = 0;      // optimizer steps done (a curve point's)
  torch::Tensor order;   // the pass in progress's permutation of the training rows
  int64_t next_row = 0;  // its first row not yet trained
  torch::Tensor order_generator, mask_generator, dropout_generator;  // CPU generator states
  std::vector<MlmPoint> curve;  // the points so far, the last at `step`
  double seconds = 0;           // training and evaluation before the stop
};

void save_pretrain_state(const std::string& path, const PretrainState& state,
                         const torch::nn::Module& model, torch::optim::Optimizer& optimizer);

// Loads the weights into `model` and the moments into `optimizer` (built as the run builds them)
// and returns the rest. IoError when the file cannot be read, CorruptFile when its checksum does
// not match, IoError when it does not fit the model.
PretrainState load_pretrain_state(const std::string& path, torch::nn::Module& model,
                                  torch::optim::Optimizer& optimizer);

}  // namespace kdbench::train
