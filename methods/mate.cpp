#include "kdbench/methods/mate.h"

#include <limits>

namespace kdbench::methods {

torch::Tensor mask_for_generator(const torch::Tensor& input_ids,
                                 const torch::Tensor& attention_mask,
                                 const std::vector<int64_t>& special_ids, double p) {
  auto eligible = attention_mask.to(torch::kBool);
  for (int64_t id : special_ids) eligible = eligible & (input_ids != id);
  const auto draw =
      torch::bernoulli(torch::full(input_ids.sizes(), p, input_ids.options().dtype(torch::kFloat)));
  return eligible & draw.to(torch::kBool);
}

torch::Tensor sample_gumbel(at::IntArrayRef sizes, const torch::TensorOptions& options) {
  // uniform in [tiny, 1): -log(-log(u)) stays finite.
  const auto u = torch::rand(sizes, options).clamp_min(std::numeric_limits<float>::min());
  return -torch::log(-torch::log(u));
}

torch::Tensor gumbel_softmax_hard(const torch::Tensor& logits, const torch::Tensor& noise,
                                  double tau) {
  const auto y_soft = torch::softmax((logits + noise) / tau, -1);
  const auto index = y_soft.argmax(-1, /*keepdim=*/true);
  const auto y_hard = torch::zeros_like(y_soft).scatter_(-1, index, 1.0);
  // y_hard + (y_soft - y_soft.detach()): the added term is exactly 0 in value, so the rows are
  // exactly one-hot (y_hard - y_soft.detach() + y_soft can round 1 - s + s away from 1).
  return y_hard + (y_soft - y_soft.detach());
}

}  // namespace kdbench::methods
