#pragma once
// The parts of a BERT encoder (Hugging Face's BertModel, module for module), shared by the
// classification head (bert.cpp) and the masked-LM head (bert_mlm.cpp); private to kdbench_models.
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <string>

#include "kdbench/core/errors.h"
#include "kdbench/models/bert.h"

namespace kdbench::models {
// Named, not anonymous: BertEncoderImpl (declared in bert.h) holds these as members.
namespace bert_parts {

constexpr double kInitStd = 0.02;  // BERT's initializer_range

inline torch::nn::LayerNorm layer_norm(const BertConfig& c) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden}).eps(c.layer_norm_eps));
}

struct BertEmbeddingsImpl : torch::nn::Module {
  explicit BertEmbeddingsImpl(const BertConfig& c)
      : word_embeddings(register_module(
            "word_embeddings",
            torch::nn::Embedding(
                torch::nn::EmbeddingOptions(c.vocab_size, c.hidden).padding_idx(c.pad_token_id)))),
        position_embeddings(register_module("position_embeddings",
                                            torch::nn::Embedding(c.max_positions, c.hidden))),
        token_type_embeddings(register_module("token_type_embeddings",
                                              torch::nn::Embedding(c.type_vocab_size, c.hidden))),
        LayerNorm(register_module("LayerNorm", layer_norm(c))),
        dropout(register_module("dropout", torch::nn::Dropout(c.hidden_dropout))) {}

  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids) {
    return from_words(word_embeddings(input_ids), token_type_ids);
  }
  // Hugging Face's inputs_embeds: word embeddings N×T×h given, positions and types added.
  torch::Tensor from_words(const torch::Tensor& words, const torch::Tensor& token_type_ids) {
    const auto positions =
        torch::arange(words.size(1), token_type_ids.options().dtype(torch::kLong)).unsqueeze(0);
    auto x = words + token_type_embeddings(token_type_ids) + position_embeddings(positions);
    return dropout(LayerNorm(x));
  }

  torch::nn::Embedding word_embeddings, position_embeddings, token_type_embeddings;
  torch::nn::LayerNorm LayerNorm;  // NOLINT(readability-identifier-naming): Hugging Face's name
  torch::nn::Dropout dropout;
};
TORCH_MODULE(BertEmbeddings);

struct BertSelfAttentionImpl : torch::nn::Module {
  explicit BertSelfAttentionImpl(const BertConfig& c)
      : heads(c.heads),
        head_dim(c.hidden / c.heads),
        query(register_module("query", torch::nn::Linear(c.hidden, c.hidden))),
        key(register_module("key", torch::nn::Linear(c.hidden, c.hidden))),
        value(register_module("value", torch::nn::Linear(c.hidden, c.hidden))),
        dropout(register_module("dropout", torch::nn::Dropout(c.attention_dropout))) {}

  // N×T×h -> N×heads×T×d
  torch::Tensor split_heads(const torch::Tensor& x) const {
    return x.view({x.size(0), x.size(1), heads, head_dim}).permute({0, 2, 1, 3});
  }

  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& additive_mask) {
    const auto q = split_heads(query(x)), k = split_heads(key(x)), v = split_heads(value(x));
    auto scores = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(head_dim));
    const auto probs = dropout(torch::softmax(scores + additive_mask, -1));
    const auto context = torch::matmul(probs, v).permute({0, 2, 1, 3}).contiguous();
    return context.view({x.size(0), x.size(1), heads * head_dim});
  }

  int64_t heads, head_dim;
  torch::nn::Linear query, key, value;
  torch::nn::Dropout dropout;
};
TORCH_MODULE(BertSelfAttention);

// Dense, dropout, residual, LayerNorm: BertSelfOutput and BertOutput alike.
struct BertResidualOutputImpl : torch::nn::Module {
  BertResidualOutputImpl(const BertConfig& c, int64_t in)
      : dense(register_module("dense", torch::nn::Linear(in, c.hidden))),
        LayerNorm(register_module("LayerNorm", layer_norm(c))),
        dropout(register_module("dropout", torch::nn::Dropout(c.hidden_dropout))) {}
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& residual) {
    return LayerNorm(dropout(dense(x)) + residual);
  }
  torch::nn::Linear dense;
  torch::nn::LayerNorm LayerNorm;  // NOLINT(readability-identifier-naming)
  torch::nn::Dropout dropout;
};
TORCH_MODULE(BertResidualOutput);

struct BertAttentionImpl : torch::nn::Module {
  explicit BertAttentionImpl(const BertConfig& c)
      : self(register_module("self", BertSelfAttention(c))),
        output(register_module("output", BertResidualOutput(c, c.hidden))) {}
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& additive_mask) {
    return output(self(x, additive_mask), x);
  }
  BertSelfAttention self;
  BertResidualOutput output;
};
TORCH_MODULE(BertAttention);

struct BertIntermediateImpl : torch::nn::Module {
  explicit BertIntermediateImpl(const BertConfig& c)
      : dense(register_module("dense", torch::nn::Linear(c.hidden, c.intermediate))) {}
  torch::Tensor forward(const torch::Tensor& x) { return torch::gelu(dense(x)); }  // erf GELU
  torch::nn::Linear dense;
};
TORCH_MODULE(BertIntermediate);

struct BertLayerImpl : torch::nn::Module {
  explicit BertLayerImpl(const BertConfig& c)
      : attention(register_module("attention", BertAttention(c))),
        intermediate(register_module("intermediate", BertIntermediate(c))),
        output(register_module("output", BertResidualOutput(c, c.intermediate))) {}
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& additive_mask) {
    const auto a = attention(x, additive_mask);
    return output(intermediate(a), a);
  }
  BertAttention attention;
  BertIntermediate intermediate;
  BertResidualOutput output;
};
TORCH_MODULE(BertLayer);

struct BertPoolerImpl : torch::nn::Module {
  explicit BertPoolerImpl(const BertConfig& c)
      : dense(register_module("dense", torch::nn::Linear(c.hidden, c.hidden))) {}
  torch::Tensor forward(const torch::Tensor& sequence) {
    return torch::tanh(dense(sequence.select(1, 0)));  // the [CLS] position
  }
  torch::nn::Linear dense;
};
TORCH_MODULE(BertPooler);

inline void check_config(const BertConfig& c, const std::string& what) {
  const auto fail = [&](const std::string& rule) { throw ConfigError(what + ": " + rule); };
  if (c.layers < 1 || c.hidden < 1 || c.heads < 1 || c.intermediate < 1)
    fail("layers, hidden size, heads and intermediate size must be at least 1");
  if (c.hidden % c.heads != 0)
    fail("hidden size " + std::to_string(c.hidden) + " is not a multiple of the " +
         std::to_string(c.heads) + " attention heads");
  if (c.vocab_size < 1 || c.max_positions < 1 || c.type_vocab_size < 1 || c.num_labels < 1)
    fail("vocab_size, max_position_embeddings, type_vocab_size and num_labels must be at least 1");
  if (c.pad_token_id < 0 || c.pad_token_id >= c.vocab_size)
    fail("pad_token_id " + std::to_string(c.pad_token_id) + " is outside the vocabulary");
}

// BERT's initialisation (Hugging Face's BertPreTrainedModel._init_weights) of every linear,
// embedding and LayerNorm below `root`: weights N(0, 0.02), biases 0, LayerNorm 1/0, the padding
// token's embedding 0. Draws from torch's default generator in module order.
inline void init_bert_weights(torch::nn::Module& root) {
  torch::NoGradGuard no_grad;
  for (auto& m : root.modules(/*include_self=*/false)) {
    if (auto* linear = m->as<torch::nn::Linear>()) {
      linear->weight.normal_(0, kInitStd);
      if (linear->bias.defined()) linear->bias.zero_();
    } else if (auto* embedding = m->as<torch::nn::Embedding>()) {
      embedding->weight.normal_(0, kInitStd);
      if (embedding->options.padding_idx())
        embedding->weight[*embedding->options.padding_idx()].zero_();
    } else if (auto* norm = m->as<torch::nn::LayerNorm>()) {
      norm->weight.fill_(1);
      norm->bias.zero_();
    }
  }
}

// load_hf_weights for any BERT head: every parameter of `model` by name (exact, without "bert.",
// LayerNorm gamma/beta); one under `head_prefix` that the file lacks keeps its initial value.
BertLoadReport load_weights_by_name(torch::nn::Module& model, const BertConfig& config,
                                    const SafetensorsFile& file, const std::string& head_prefix);
// DataError unless DIR/config.json describes `want`'s architecture (init_from_hf_dir's check).
void check_hf_dir_config(const BertConfig& want, const std::string& dir);

}  // namespace bert_parts

// Hugging Face's BertModel: registered under "bert" by both heads.
class BertEncoderImpl : public torch::nn::Module {
 public:
  explicit BertEncoderImpl(const BertConfig& c)
      : embeddings_(register_module("embeddings", bert_parts::BertEmbeddings(c))),
        pooler_(register_module("pooler", bert_parts::BertPooler(c))) {
    // "encoder.layer.{i}": a module "encoder" holding the ModuleList "layer", as in BertModel.
    auto encoder = register_module("encoder", std::make_shared<torch::nn::Module>());
    layers_ = encoder->register_module("layer", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.layers; ++i) layers_->push_back(bert_parts::BertLayer(c));
  }

  torch::Tensor sequence(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                         const torch::Tensor& token_type_ids) {
    return layers(embeddings_(input_ids, token_type_ids), attention_mask);
  }
  // From word embeddings N×T×h (inputs_embeds) instead of ids.
  torch::Tensor sequence_from_words(const torch::Tensor& words, const torch::Tensor& attention_mask,
                                    const torch::Tensor& token_type_ids) {
    return layers(embeddings_->from_words(words, token_type_ids), attention_mask);
  }
  torch::Tensor pooled(const torch::Tensor& sequence) { return pooler_(sequence); }
  // V×hidden: the masked-LM head's decoder reuses it (the tie), it has no weight of its own.
  torch::Tensor word_embeddings() const { return embeddings_->word_embeddings->weight; }

 private:
  torch::Tensor layers(torch::Tensor x, const torch::Tensor& attention_mask) {
    // Padding gets the dtype's lowest value added to its scores (Hugging Face's current choice;
    // older releases added -10000): exp underflows to 0 either way unless a row is all padding.
    const auto keep = attention_mask.unsqueeze(1).unsqueeze(2).to(x.scalar_type());
    const auto additive = (1.0 - keep) * std::numeric_limits<float>::lowest();
    for (const auto& layer : *layers_) x = layer->as<bert_parts::BertLayer>()->forward(x, additive);
    return x;
  }

  bert_parts::BertEmbeddings embeddings_;
  bert_parts::BertPooler pooler_;
  torch::nn::ModuleList layers_{nullptr};
};

}  // namespace kdbench::models
