#pragma once
// Teacher logits for a student task (docs/design.md §3.4): the teacher checkpoint is loaded on
// demand, always in eval mode without gradients. Unaugmented batches of a method that does not
// perturb its inputs are distilled from the teacher-logit cache (kdbench/train/logit_cache.h):
// the logits over the whole training set, computed once per teacher checkpoint for the whole grid
// and indexed per batch. Otherwise (augmentation, input views) the teacher runs online on the
// batch the student sees. The teacher lives on the data's device; `indices` are on that device too.
#include <string>

#include "kdbench/models/models.h"
#include "kdbench/results/artifacts.h"
#include "kdbench/train/logit_cache.h"
#include "kdbench/train/precision.h"
#include "kdbench/train/prepared_data.h"

namespace kdbench::train {

class TeacherSource {
 public:
  // `precision`: the student's, under which the teacher's forward passes run; `dtype`: how the
  // cache file stores the logits.
  TeacherSource(std::string teacher_key, std::string teacher_model, const PreparedData& data,
                const results::Artifacts& artifacts, int64_t eval_batch, Precision precision,
                LogitDtype dtype);

  // `checkpoint` is a teacher epoch or methods::kFinalCheckpoint. Cached (augmented = false):
  // rows `indices` of the checkpoint's cached logits, float32; online: the teacher on x.
  torch::Tensor batch_logits(int checkpoint, const torch::Tensor& indices, const models::Inputs& x,
                             bool augmented);
  // Loads (or builds) the checkpoint's cached logits now, so that a gang's root can build the
  // file before its members read it. Returns the file's name relative to the artifacts root.
  std::string prepare_cached(int checkpoint);
  bool holds_cached(int checkpoint) const {
    return cached_checkpoint_ == checkpoint && cached_train_logits_.defined();
  }
  models::NetImpl& net(int checkpoint);

 private:
  void select(int checkpoint);
  LogitCacheId cache_id(int checkpoint) const;
  std::string key_, model_;
  const PreparedData& data_;
  const results::Artifacts& artifacts_;
  int64_t eval_batch_;
  Precision precision_;
  LogitDtype dtype_;
  int current_ = -2;  // no checkpoint loaded yet
  models::Net net_;
  int cached_checkpoint_ = -2;
  torch::Tensor cached_train_logits_;
  std::string data_fingerprint_;  // computed on first use
};

}  // namespace kdbench::train
