#pragma once
// Numerically safe building blocks shared by the methods (METHODS.md §0): log-space KL with
// explicit reductions, so a method states its convention instead of inheriting a library default.
#include <torch/torch.h>

#include <string>

namespace kdbench::methods {

enum class Reduction { BatchMean, ElementMean };
Reduction parse_reduction(const std::string& text);  // "batchmean" | "elementmean"
std::string to_string(Reduction r);

// Cross-entropy CE(y, z) averaged over the batch.
torch::Tensor cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels);

// KL(softmax(t/tau) || softmax(s/tau)), teacher first, computed from log-softmaxes; terms with
// teacher probability 0 contribute 0 (xlogy convention). Reduction: batchmean = sum over
// classes / B; elementmean = sum / (B*C).
torch::Tensor kl_div_with_temperature(const torch::Tensor& student_logits,
                                      const torch::Tensor& teacher_logits, double tau,
                                      Reduction reduction);

}  // namespace kdbench::methods
