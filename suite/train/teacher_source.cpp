#include "teacher_source.h"

#include <filesystem>
#include <mutex>

#include "kdbench/core/errors.h"
#include "kdbench/train/evaluate.h"
#include "kdbench/train/net_io.h"

namespace kdbench::train {

TeacherSource::TeacherSource(std::string teacher_key, std::string teacher_model,
                             const PreparedData& data, const results::Artifacts& artifacts,
                             int64_t eval_batch, Precision precision, LogitDtype dtype)
    : key_(std::move(teacher_key)),
      model_(std::move(teacher_model)),
      data_(data),
      artifacts_(artifacts),
      eval_batch_(eval_batch),
      precision_(precision),
      dtype_(dtype) {}

void TeacherSource::select(int checkpoint) {
  if (checkpoint == current_) return;
  {
    // Building the network draws initial weights (the checkpoint overwrites them) from the CPU
    // default generator, which the student's dropout draws from too. Only a student that builds
    // the logit cache builds the teacher: without this, its numbers would depend on whether
    // another student had built the cache first.
    // (The generator's lock is not held across make(): its draws take that lock themselves.)
    at::Generator cpu = at::globalContext().defaultGenerator(torch::kCPU);
    torch::Tensor state;
    {
      std::lock_guard<std::mutex> lock(cpu.mutex());
      state = cpu.get_state();
    }
    net_ = models::make(model_, data_.num_classes, data_.shape);
    std::lock_guard<std::mutex> lock(cpu.mutex());
    cpu.set_state(state);
  }
  net_->to(data_.device());
  load_net(*net_, artifacts_.path_for(key_, results::checkpoint_name(checkpoint)));
  net_->eval();
  current_ = checkpoint;
}

models::NetImpl& TeacherSource::net(int checkpoint) {
  select(checkpoint);
  return *net_;
}

LogitCacheId TeacherSource::cache_id(int checkpoint) const {
  const std::string checkpoint_path =
      artifacts_.path_for(key_, results::checkpoint_name(checkpoint));
  if (!std::filesystem::exists(checkpoint_path))
    throw IoError(checkpoint_path + ": checkpoint not found");
  // Checked whole, as load_net does: a damaged checkpoint is never distilled from, not even
  // through logits cached before the damage.
  results::read_sealed(checkpoint_path);
  LogitCacheId id;
  id.teacher_key = key_;
  id.checkpoint = checkpoint;
  id.checkpoint_seal = seal_of(checkpoint_path);
  id.precision = to_string(precision_);
  id.eval_batch = eval_batch_;
  id.samples = data_.train.size();
  id.classes = data_.num_classes;
  id.dtype = dtype_;
  id.data_fingerprint = data_fingerprint_;
  return id;
}

std::string TeacherSource::prepare_cached(int checkpoint) {
  if (data_fingerprint_.empty()) data_fingerprint_ = data_fingerprint(data_);
  const LogitCacheId id = cache_id(checkpoint);
  if (!holds_cached(checkpoint)) {
    cached_train_logits_ = torch::Tensor();  // the previous checkpoint's, before loading another
    // The teacher is loaded only when the logits are not on file.
    cached_train_logits_ = teacher_logits_cached(artifacts_, id, data_.device(), [&] {
      select(checkpoint);
      AutocastScope autocast(data_.device(), precision_);
      return logits(*net_, data_, data_.train, eval_batch_).to(torch::kFloat);
    });
    cached_checkpoint_ = checkpoint;
  }
  return key_ + "/" + logit_cache_name(id);
}

torch::Tensor TeacherSource::batch_logits(int checkpoint, const torch::Tensor& indices,
                                          const models::Inputs& x, bool augmented) {
  torch::NoGradGuard no_grad;
  if (augmented) {
    select(checkpoint);
    return net_->forward(x);
  }
  if (!holds_cached(checkpoint)) prepare_cached(checkpoint);
  return cached_train_logits_.index_select(0, indices);
}

}  // namespace kdbench::train
