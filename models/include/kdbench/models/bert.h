#pragma once
// BERT-family encoders with a sequence-classification head (docs/methods.md §10a), written so that
// their parameter names are Hugging Face's BertForSequenceClassification names one to one
// ("bert.embeddings.word_embeddings.weight", ..., "classifier.bias"): a Hugging Face checkpoint
// loads without a name map and a kdbench checkpoint reads back in Python by name.
//
// Architecture (Devlin et al. 2019 as released): word + learned position + token-type embeddings,
// LayerNorm (eps 1e-12), dropout; per layer post-LayerNorm self-attention (heads of hidden/heads
// dims, additive mask of the padding) and a GELU (erf) feed-forward of `intermediate` units; the
// [CLS] pooler dense + tanh; dropout; a linear classifier (num_labels = 1: regression).
#include <torch/torch.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kdbench/models/models.h"
#include "kdbench/models/safetensors.h"

namespace kdbench::models {

struct BertConfig {
  int64_t layers = 0, hidden = 0, heads = 0, intermediate = 0;
  int64_t vocab_size = 30522, max_positions = 512, type_vocab_size = 2, pad_token_id = 0;
  double layer_norm_eps = 1e-12, hidden_dropout = 0.1, attention_dropout = 0.1;
  int64_t num_labels = 2;  // 1 = regression (STS-B)

  // "bert-L{layers}-H{hidden}[-A{heads}]": heads default to hidden/64 (the published sizes),
  // intermediate = 4 × hidden. ConfigError naming the name and the rule it breaks.
  static BertConfig from_name(const std::string& name);
  // A Hugging Face config.json (`path` names it in errors): the architecture keys it must have
  // (hidden_size, num_hidden_layers, num_attention_heads, intermediate_size) and those it may
  // (vocab_size, max_position_embeddings, type_vocab_size, layer_norm_eps, dropouts,
  // pad_token_id); hidden_act must be "gelu". DataError otherwise.
  static BertConfig from_hf_config(const nlohmann::json& config, const std::string& path);
  // Hugging Face's config.json of this architecture: the keys from_hf_config reads (it reads this
  // back to an equal config, num_labels aside), "architectures": [architecture], "model_type":
  // "bert", "hidden_act": "gelu".
  nlohmann::json to_hf_config(const std::string& architecture) const;
  // The name from_name would read back ("bert-L4-H256", "-A{heads}" only when not hidden/64).
  std::string name() const;
};

bool is_bert_name(const std::string& name);

// The encoder, Hugging Face's BertModel; registered under "bert" in BertClassifierImpl.
class BertEncoderImpl;
TORCH_MODULE(BertEncoder);

class BertClassifierImpl : public NetImpl {
 public:
  // Initialised as BERT is: weights N(0, 0.02), biases 0, LayerNorm 1/0, the padding token's
  // embedding 0; the caller seeds torch's generator first.
  explicit BertClassifierImpl(const BertConfig& config);
  // input_ids, attention_mask (1 = token, 0 = padding), token_type_ids: N×T int64 -> N×num_labels.
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                        const torch::Tensor& token_type_ids);
  // The registry's interface: the three token tensors of `inputs`, and its replaced tokens
  // (Inputs::token_weights at token_positions, embedded as token_weights·E) when it has them.
  torch::Tensor forward(const Inputs& inputs) override;
  // Hugging Face's inputs_embeds: word embeddings N×T×hidden in place of the ids (positions and
  // token types are added as usual). forward_embeds(one_hot(ids)·E, ...) equals forward(ids, ...).
  torch::Tensor forward_embeds(const torch::Tensor& inputs_embeds,
                               const torch::Tensor& attention_mask,
                               const torch::Tensor& token_type_ids);
  // E: bert.embeddings.word_embeddings.weight, V×hidden.
  torch::Tensor word_embeddings() const;
  // The last layer's hidden states N×T×hidden (for masked-LM heads and tests).
  torch::Tensor sequence_output(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                const torch::Tensor& token_type_ids);
  const BertConfig& config() const { return config_; }

 private:
  BertConfig config_;
  BertEncoder bert_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear classifier_{nullptr};
};
TORCH_MODULE(BertClassifier);

// What load_hf_weights did: tensors of the file that were used, and parameters left at their
// initial values because the file has none (a pretrained encoder without a task head has no
// "classifier.*": that head starts fresh, as in Hugging Face).
struct BertLoadReport {
  int64_t loaded = 0;
  std::vector<std::string> initialised;  // kept at their initial values (classifier.* only)
  std::vector<std::string> unused;       // tensors of the file no parameter took (e.g. cls.*)
};

// Copies a Hugging Face BERT checkpoint into `model` by name. Accepted spellings per parameter:
// the exact name, without the "bert." prefix (a bare BertModel file), and LayerNorm's legacy
// gamma/beta for weight/bias. An encoder parameter missing from the file, or a shape that differs,
// is a DataError naming the file, the tensor and both shapes.
BertLoadReport load_hf_weights(BertClassifierImpl& model, const SafetensorsFile& file);

// `[teacher|student] init = DIR`: a Hugging Face BERT directory (config.json, model.safetensors)
// into `model`. config.json must describe the model's architecture (layers, hidden, heads,
// intermediate, vocabulary, positions, token types): a difference is a DataError naming the file,
// the key and both values; the weights then load as load_hf_weights does (the whole file is
// validated first). A classifier of another label count is a shape error like any other.
BertLoadReport init_from_hf_dir(BertClassifierImpl& model, const std::string& dir);

// Multiply-accumulates of one forward pass of one sequence of `tokens` tokens (embedding lookups
// are free): per layer 4h² (Q, K, V, output) + 2·T·h (scores, context) per token + 2·h·i (FFN),
// plus the pooler and classifier once.
int64_t bert_forward_macs(const BertConfig& config, int64_t tokens);

}  // namespace kdbench::models
