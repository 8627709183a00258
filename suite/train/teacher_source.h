#pragma once
// Teacher logits for a student task (docs/design.md §3.4): the teacher checkpoint is loaded on
// demand, always in eval mode without gradients. Without augmentation the logits over the whole
// training set are computed once per checkpoint and indexed per batch; with augmentation the
// teacher runs online on the same augmented batch the student sees. The teacher lives on the
// data's device; `indices` are on that device too.
#include <string>

#include "kdbench/models/models.h"
#include "kdbench/results/artifacts.h"
#include "kdbench/train/prepared_data.h"

namespace kdbench::train {

class TeacherSource {
 public:
  TeacherSource(std::string teacher_key, std::string teacher_model, const PreparedData& data,
                const results::Artifacts& artifacts, int64_t eval_batch);

  // `checkpoint` is a teacher epoch or methods::kFinalCheckpoint.
  torch::Tensor batch_logits(int checkpoint, const torch::Tensor& indices, const torch::Tensor& x,
                             bool augmented);
  models::NetImpl& net(int checkpoint);

 private:
  void select(int checkpoint);
  std::string key_, model_;
  const PreparedData& data_;
  const results::Artifacts& artifacts_;
  int64_t eval_batch_;
  int current_ = -2;  // no checkpoint loaded yet
  models::Net net_;
  torch::Tensor cached_train_logits_;
};

}  // namespace kdbench::train
