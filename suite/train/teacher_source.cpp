#include "teacher_source.h"

#include "kdbench/train/evaluate.h"
#include "kdbench/train/net_io.h"

namespace kdbench::train {

TeacherSource::TeacherSource(std::string teacher_key, std::string teacher_model,
                             const PreparedData& data, const results::Artifacts& artifacts,
                             int64_t eval_batch)
    : key_(std::move(teacher_key)),
      model_(std::move(teacher_model)),
      data_(data),
      artifacts_(artifacts),
      eval_batch_(eval_batch) {}

void TeacherSource::select(int checkpoint) {
  if (checkpoint == current_) return;
  net_ = models::make(model_, data_.num_classes, data_.shape);
  net_->to(data_.device());
  load_net(*net_, artifacts_.path_for(key_, results::checkpoint_name(checkpoint)));
  net_->eval();
  cached_train_logits_ = torch::Tensor();
  current_ = checkpoint;
}

models::NetImpl& TeacherSource::net(int checkpoint) {
  select(checkpoint);
  return *net_;
}

torch::Tensor TeacherSource::batch_logits(int checkpoint, const torch::Tensor& indices,
                                          const torch::Tensor& x, bool augmented) {
  select(checkpoint);
  torch::NoGradGuard no_grad;
  if (augmented) return net_->forward(x);
  if (!cached_train_logits_.defined())
    cached_train_logits_ = logits(*net_, data_, data_.train_x, eval_batch_);
  return cached_train_logits_.index_select(0, indices);
}

}  // namespace kdbench::train
