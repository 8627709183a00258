#pragma once
// Numerically safe building blocks shared by the methods (docs/methods.md §0): log-space KL with
// explicit reductions, so a method states its convention instead of inheriting a library default.
#include <torch/torch.h>

#include <string>

namespace kdbench::methods {

enum class Reduction { BatchMean, ElementMean };
Reduction parse_reduction(const std::string& text);  // "batchmean" | "elementmean"
std::string to_string(Reduction r);

// Cross-entropy CE(y, z) averaged over the batch.
torch::Tensor cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels);

// Regression (STS-B): the network has one output and the labels are real-valued targets (a
// floating-point tensor of B scores; class labels are int64). The methods' label term is then the
// mean squared error of the outputs to the targets, as Hugging Face's BertForSequenceClassification
// computes it with num_labels = 1.
bool is_regression(const torch::Tensor& labels);
torch::Tensor regression_mse(const torch::Tensor& outputs, const torch::Tensor& targets);
// The methods' label term: cross_entropy for class labels, regression_mse for real targets.
torch::Tensor supervised_loss(const torch::Tensor& logits, const torch::Tensor& labels);

// KL(softmax(t/tau) || softmax(s/tau)), teacher first, computed from log-softmaxes; terms with
// teacher probability 0 contribute 0 (xlogy convention). Reduction: batchmean = sum over
// classes / B; elementmean = sum / (B*C).
torch::Tensor kl_div_with_temperature(const torch::Tensor& student_logits,
                                      const torch::Tensor& teacher_logits, double tau,
                                      Reduction reduction);

// On one real-valued output a softmax has one class and every KL between two of them is 0: the
// soft-target term of KD, TAKD and Pro-KD on a regression task is the mean squared error between
// student and teacher outputs instead, which is what tau^2 * ((s - t) / tau)^2 equals at any tau
// (docs/methods.md, "Regression").
torch::Tensor output_mse(const torch::Tensor& student_outputs,
                         const torch::Tensor& teacher_outputs);

// Mean squared error on raw logits: elementmean = mean over all B*C entries (PyTorch's mse_loss
// default, Annealing-KD's code); batchmean = sum over classes, mean over the batch (C times more).
torch::Tensor mse(const torch::Tensor& a, const torch::Tensor& b, Reduction reduction);

// MethodError unless both logits have one shape: a teacher trained on other classes (100 vs 10)
// would otherwise fail deep inside LibTorch with a broadcasting message, or broadcast silently.
void check_same_logit_shape(const torch::Tensor& student_logits,
                            const torch::Tensor& teacher_logits, const std::string& method);

// Returns `teacher_logits` detached (the teacher never gets gradient from a loss); MethodError
// when the trainer passed none to a method/phase that needs them, or logits of another shape
// than the student's (check_same_logit_shape).
torch::Tensor required_teacher(const torch::Tensor& student_logits,
                               const torch::Tensor& teacher_logits, const std::string& method);

}  // namespace kdbench::methods
