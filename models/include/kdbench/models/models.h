#pragma once
// Network registry (docs/design.md §4, docs/methods.md §10, §10a): plain CNN-n of TAKD and CIFAR
// ResNet-n, for any input shape (global average pooling / adaptive pooling before the classifier),
// and BERT-family encoders bert-L{layers}-H{hidden}[-A{heads}] for token sequences.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "kdbench/core/shape.h"

namespace kdbench::models {

using kdbench::InputShape;

// One batch of named inputs, so that trainer, methods and evaluation stay modality-free: vision
// networks read `images`, text networks the three token tensors. Implicit from an image tensor.
struct Inputs {
  torch::Tensor images;                                     // float N×C×H×W, normalised
  torch::Tensor input_ids, attention_mask, token_type_ids;  // int64 N×T; mask 1 = token
  // Tokens given as rows over the vocabulary instead of ids (Combined-KD's generator): float K×V
  // rows (one-hot or soft) replace the ids at the K flat positions `token_positions` (int64,
  // row·T + t); text networks embed each row as token_weights·E (E: their word embeddings), so
  // gradients flow back into the rows. Undefined: the ids alone.
  torch::Tensor token_positions, token_weights;
  Inputs() = default;
  Inputs(torch::Tensor image_batch) : images(std::move(image_batch)) {}  // NOLINT: implicit
  bool is_text() const { return input_ids.defined(); }
  int64_t rows() const { return is_text() ? input_ids.size(0) : images.size(0); }
  // Rows [begin, end) of every tensor (a gang member's share of a batch), replaced tokens
  // included.
  Inputs slice(int64_t begin, int64_t end) const;
};

// Every network: a batch of inputs -> logits N×num_classes.
class NetImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const Inputs& inputs) = 0;
};
using Net = std::shared_ptr<NetImpl>;

// Builds a freshly initialized network; the caller seeds torch's generator first for determinism.
// Unknown names are a ConfigError listing known().
Net make(const std::string& name, int64_t num_classes, const InputShape& shape);
bool is_known(const std::string& name);
// The image models by name (the BERT family is open-ended: any valid bert-L{l}-H{h}[-A{a}]).
std::vector<std::string> known();

// Trainable parameters (the counts docs/methods.md §10 lists).
int64_t count_parameters(const torch::nn::Module& net);
// Multiply-accumulates of one forward pass of one input (an image, or a sequence of
// shape.max_tokens tokens), for cost estimates in `kdbench plan`.
int64_t forward_macs(const std::string& name, int64_t num_classes, const InputShape& shape);

}  // namespace kdbench::models
