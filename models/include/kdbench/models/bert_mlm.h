#pragma once
// BERT with its masked-LM head (docs/text.md, "Masked-LM pretraining"), parameter for parameter
// Hugging Face's BertForMaskedLM plus the pooler: the encoder under "bert." and the head
//   cls.predictions.transform.dense.{weight,bias}       hidden -> hidden
//   cls.predictions.transform.LayerNorm.{weight,bias}   after GELU (erf)
//   cls.predictions.bias                                V, added to the vocabulary logits
// whose decoder is TIED to bert.embeddings.word_embeddings.weight (logits = h·Eᵀ + bias), as in
// Hugging Face: no decoder weight of its own, so a saved directory has none either.
//
// The pooler is kept (BertForMaskedLM drops it, BertForPreTraining has it) although the masked-LM
// loss never reaches it: a directory saved from this model then loads into a BertClassifier
// through init_from_hf_dir with every encoder tensor found and only classifier.* initialised.
// It keeps its initial weights (N(0, 0.02), bias 0), as BERT's own pooler would without NSP.
#include <torch/torch.h>

#include <string>

#include "kdbench/models/bert.h"
#include "kdbench/models/models.h"

namespace kdbench::models {

class BertMaskedLMImpl : public NetImpl {
 public:
  // Initialised as BertClassifierImpl (weights N(0, 0.02), biases 0, LayerNorm 1/0, the padding
  // token's embedding 0); the caller seeds torch's generator first. num_labels is ignored.
  explicit BertMaskedLMImpl(const BertConfig& config);

  // Logits K×V of the K positions `positions` (int64 indices into the N·T positions of the batch,
  // row-major: row·T + t). Only those rows of the hidden states go through the head: the vocabulary
  // projection is most of a small model's step, and only masked positions have a label.
  torch::Tensor masked_logits(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                              const torch::Tensor& token_type_ids, const torch::Tensor& positions);
  // Logits N×T×V of every position (tests, and a baseline for the gathered form).
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                        const torch::Tensor& token_type_ids);
  // The registry's interface: forward() of the three token tensors.
  torch::Tensor forward(const Inputs& inputs) override;

  const BertConfig& config() const { return config_; }

 private:
  torch::Tensor head(const torch::Tensor& hidden);  // M×hidden -> M×V

  BertConfig config_;
  BertEncoder bert_{nullptr};
  torch::nn::Linear transform_dense_{nullptr};
  torch::nn::LayerNorm transform_norm_{nullptr};
  torch::Tensor decoder_bias_;  // cls.predictions.bias
};
TORCH_MODULE(BertMaskedLM);

// Writes `model` as a Hugging Face BERT directory: `dir` (created when missing) gets
// model.safetensors (every parameter by name, float32; the tied decoder is not repeated, as
// save_pretrained leaves it out) and then config.json (BertConfig::to_hf_config with
// "architectures": ["BertForMaskedLM"]), each replaced atomically. init_from_hf_dir reads it back
// into a BertClassifier of the same architecture; Hugging Face's from_pretrained reads it too.
void save_hf_dir(BertMaskedLMImpl& model, const std::string& dir);

// A Hugging Face BERT directory into a masked LM (Combined-KD's `generator_init`): config.json
// checked as init_from_hf_dir does for a classifier, then every parameter by name; a directory
// without the masked-LM head (a bare BertModel or a classifier) leaves cls.* at their initial
// values, listed in the report's `initialised`.
BertLoadReport init_from_hf_dir(BertMaskedLMImpl& model, const std::string& dir);

}  // namespace kdbench::models
