#include "kdbench/train/evaluate.h"

namespace kdbench::train {

torch::Tensor logits(models::NetImpl& net, const torch::Tensor& x, int64_t batch) {
  const bool was_training = net.is_training();
  net.eval();
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < x.size(0); i += batch)
    parts.push_back(net.forward(x.slice(0, i, i + batch)));
  net.train(was_training);
  return parts.empty() ? torch::empty({0}) : torch::cat(parts);
}

double accuracy(models::NetImpl& net, const torch::Tensor& x, const torch::Tensor& y,
                int64_t batch) {
  if (x.size(0) == 0) return 0;
  const auto pred = logits(net, x, batch).argmax(1);
  return pred.eq(y).sum().item<double>() / static_cast<double>(x.size(0));
}

}  // namespace kdbench::train
