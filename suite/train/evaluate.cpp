#include "kdbench/train/evaluate.h"

namespace kdbench::train {
namespace {

// `d` null: x holds normalised floats already.
torch::Tensor batched_logits(models::NetImpl& net, const PreparedData* d, const torch::Tensor& x,
                             int64_t batch) {
  const bool was_training = net.is_training();
  net.eval();
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < x.size(0); i += batch)
    parts.push_back(net.forward(d ? images(*d, x, i, i + batch) : x.slice(0, i, i + batch)));
  net.train(was_training);
  return parts.empty() ? torch::empty({0}, torch::TensorOptions().device(x.device()))
                       : torch::cat(parts);
}

double batched_accuracy(models::NetImpl& net, const PreparedData* d, const torch::Tensor& x,
                        const torch::Tensor& y, int64_t batch) {
  if (x.size(0) == 0) return 0;
  const auto pred = batched_logits(net, d, x, batch).argmax(1);
  // The one read from the device per evaluation.
  return pred.eq(y).sum().item<double>() / static_cast<double>(x.size(0));
}

}  // namespace

double accuracy(models::NetImpl& net, const torch::Tensor& x, const torch::Tensor& y,
                int64_t batch) {
  return batched_accuracy(net, nullptr, x, y, batch);
}

double accuracy(models::NetImpl& net, const PreparedData& d, const torch::Tensor& x,
                const torch::Tensor& y, int64_t batch) {
  return batched_accuracy(net, &d, x, y, batch);
}

torch::Tensor logits(models::NetImpl& net, const torch::Tensor& x, int64_t batch) {
  return batched_logits(net, nullptr, x, batch);
}

torch::Tensor logits(models::NetImpl& net, const PreparedData& d, const torch::Tensor& x,
                     int64_t batch) {
  return batched_logits(net, &d, x, batch);
}

}  // namespace kdbench::train
