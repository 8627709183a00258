// BERT encoders and their classification head (kdbench/models/bert.h). Module and parameter names
// are Hugging Face's (modeling_bert.py), hence the capitalised "LayerNorm".
#include "kdbench/models/bert.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <regex>
#include <set>

#include "kdbench/core/errors.h"

namespace kdbench::models {
// Named, not anonymous: BertEncoderImpl (declared in the header) holds these as members.
namespace bert_parts {

constexpr double kInitStd = 0.02;  // BERT's initializer_range

torch::nn::LayerNorm layer_norm(const BertConfig& c) {
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
    const auto positions = torch::arange(input_ids.size(1), input_ids.options()).unsqueeze(0);
    auto x = word_embeddings(input_ids) + token_type_embeddings(token_type_ids) +
             position_embeddings(positions);
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

void check_config(const BertConfig& c, const std::string& what) {
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

}  // namespace bert_parts

using namespace bert_parts;  // NOLINT(google-build-using-namespace): this file's own parts

class BertEncoderImpl : public torch::nn::Module {
 public:
  explicit BertEncoderImpl(const BertConfig& c)
      : embeddings_(register_module("embeddings", BertEmbeddings(c))),
        pooler_(register_module("pooler", BertPooler(c))) {
    // "encoder.layer.{i}": a module "encoder" holding the ModuleList "layer", as in BertModel.
    auto encoder = register_module("encoder", std::make_shared<torch::nn::Module>());
    layers_ = encoder->register_module("layer", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.layers; ++i) layers_->push_back(BertLayer(c));
  }

  torch::Tensor sequence(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                         const torch::Tensor& token_type_ids) {
    auto x = embeddings_(input_ids, token_type_ids);
    // Padding gets the dtype's lowest value added to its scores (Hugging Face's current choice;
    // older releases added -10000): exp underflows to 0 either way unless a row is all padding.
    const auto keep = attention_mask.unsqueeze(1).unsqueeze(2).to(x.scalar_type());
    const auto additive = (1.0 - keep) * std::numeric_limits<float>::lowest();
    for (const auto& layer : *layers_) x = layer->as<BertLayer>()->forward(x, additive);
    return x;
  }
  torch::Tensor pooled(const torch::Tensor& sequence) { return pooler_(sequence); }

 private:
  BertEmbeddings embeddings_;
  BertPooler pooler_;
  torch::nn::ModuleList layers_{nullptr};
};

BertConfig BertConfig::from_name(const std::string& name) {
  static const std::regex pattern(R"(bert-L([0-9]{1,3})-H([0-9]{1,5})(?:-A([0-9]{1,3}))?)");
  std::smatch m;
  if (!std::regex_match(name, m, pattern))
    throw ConfigError("model '" + name + "': a BERT name is bert-L{layers}-H{hidden}[-A{heads}]");
  BertConfig c;
  c.layers = std::stoll(m[1]);
  c.hidden = std::stoll(m[2]);
  if (m[3].matched) {
    c.heads = std::stoll(m[3]);
  } else {
    if (c.hidden % 64 != 0)
      throw ConfigError("model '" + name + "': hidden size " + std::to_string(c.hidden) +
                        " is not a multiple of 64; name the heads with -A{heads}");
    c.heads = c.hidden / 64;
  }
  c.intermediate = 4 * c.hidden;
  check_config(c, "model '" + name + "'");
  return c;
}

BertConfig BertConfig::from_hf_config(const nlohmann::json& j, const std::string& path) {
  const auto fail = [&](const std::string& what) { throw DataError(path + ": " + what); };
  if (!j.is_object()) fail("not a JSON object");
  const auto integer = [&](const char* key, int64_t fallback, bool required) -> int64_t {
    if (!j.contains(key)) {
      if (required) fail(std::string("no \"") + key + "\" (a BERT config.json has it)");
      return fallback;
    }
    if (!j[key].is_number_integer()) fail(std::string("\"") + key + "\" is not an integer");
    return j[key].get<int64_t>();
  };
  const auto real = [&](const char* key, double fallback) -> double {
    if (!j.contains(key)) return fallback;
    if (!j[key].is_number()) fail(std::string("\"") + key + "\" is not a number");
    return j[key].get<double>();
  };
  BertConfig c;
  c.hidden = integer("hidden_size", 0, true);
  c.layers = integer("num_hidden_layers", 0, true);
  c.heads = integer("num_attention_heads", 0, true);
  c.intermediate = integer("intermediate_size", 0, true);
  c.vocab_size = integer("vocab_size", c.vocab_size, false);
  c.max_positions = integer("max_position_embeddings", c.max_positions, false);
  c.type_vocab_size = integer("type_vocab_size", c.type_vocab_size, false);
  c.pad_token_id = integer("pad_token_id", c.pad_token_id, false);
  c.layer_norm_eps = real("layer_norm_eps", c.layer_norm_eps);
  c.hidden_dropout = real("hidden_dropout_prob", c.hidden_dropout);
  c.attention_dropout = real("attention_probs_dropout_prob", c.attention_dropout);
  if (j.contains("hidden_act") && j["hidden_act"] != "gelu")
    fail("hidden_act " + j["hidden_act"].dump() + " is not supported (only \"gelu\")");
  try {
    check_config(c, path);
  } catch (const ConfigError& e) {
    throw DataError(e.what());  // a bad file, not a bad grid
  }
  return c;
}

std::string BertConfig::name() const {
  return "bert-L" + std::to_string(layers) + "-H" + std::to_string(hidden) +
         (heads * 64 == hidden ? "" : "-A" + std::to_string(heads));
}

bool is_bert_name(const std::string& name) { return name.rfind("bert-", 0) == 0; }

BertClassifierImpl::BertClassifierImpl(const BertConfig& config) : config_(config) {
  check_config(config_, "model '" + config_.name() + "'");
  bert_ = register_module("bert", BertEncoder(config_));
  dropout_ = register_module("dropout", torch::nn::Dropout(config_.hidden_dropout));
  classifier_ =
      register_module("classifier", torch::nn::Linear(config_.hidden, config_.num_labels));
  torch::NoGradGuard no_grad;
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* linear = m->as<torch::nn::Linear>()) {
      linear->weight.normal_(0, kInitStd);
      linear->bias.zero_();
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

torch::Tensor BertClassifierImpl::sequence_output(const torch::Tensor& input_ids,
                                                  const torch::Tensor& attention_mask,
                                                  const torch::Tensor& token_type_ids) {
  return bert_->sequence(input_ids, attention_mask, token_type_ids);
}

torch::Tensor BertClassifierImpl::forward(const torch::Tensor& input_ids,
                                          const torch::Tensor& attention_mask,
                                          const torch::Tensor& token_type_ids) {
  return classifier_(
      dropout_(bert_->pooled(sequence_output(input_ids, attention_mask, token_type_ids))));
}

torch::Tensor BertClassifierImpl::forward(const Inputs& inputs) {
  if (!inputs.is_text())
    throw ConfigError("model '" + config_.name() + "' reads token ids; this batch holds images");
  return forward(inputs.input_ids, inputs.attention_mask, inputs.token_type_ids);
}

BertLoadReport load_hf_weights(BertClassifierImpl& model, const SafetensorsFile& file) {
  BertLoadReport report;
  std::set<std::string> used;
  torch::NoGradGuard no_grad;
  for (auto& item : model.named_parameters(/*recurse=*/true)) {
    const std::string& name = item.key();
    torch::Tensor& param = item.value();
    std::vector<std::string> spellings = {name};
    if (name.rfind("bert.", 0) == 0) spellings.push_back(name.substr(5));
    for (size_t i = 0, n = spellings.size(); i < n; ++i) {  // LayerNorm.gamma / .beta (TF ports)
      const std::string s = spellings[i];  // a copy: push_back below may reallocate
      if (s.size() > 17 && s.compare(s.size() - 17, 17, ".LayerNorm.weight") == 0)
        spellings.push_back(s.substr(0, s.size() - 6) + "gamma");
      if (s.size() > 15 && s.compare(s.size() - 15, 15, ".LayerNorm.bias") == 0)
        spellings.push_back(s.substr(0, s.size() - 4) + "beta");
    }
    const auto found = std::find_if(spellings.begin(), spellings.end(),
                                    [&](const std::string& s) { return file.contains(s); });
    if (found == spellings.end()) {
      if (name.rfind("classifier.", 0) == 0) {
        report.initialised.push_back(name);
        continue;
      }
      throw DataError(file.path() + ": no tensor '" + name + "' (nor '" + spellings.back() +
                      "'): not a BERT checkpoint of this architecture");
    }
    const auto value = file.tensor(*found);
    if (value.sizes() != param.sizes())
      throw DataError(file.path() + ": tensor '" + *found + "' has shape " +
                      c10::str(value.sizes()) + ", the model (" + model.config().name() +
                      ") needs " + c10::str(param.sizes()));
    param.copy_(value.to(param.scalar_type()));
    used.insert(*found);
    ++report.loaded;
  }
  for (const auto& e : file.entries())
    if (!used.count(e.name)) report.unused.push_back(e.name);
  return report;
}

BertLoadReport init_from_hf_dir(BertClassifierImpl& model, const std::string& dir) {
  const std::string config_path = dir + "/config.json";
  std::ifstream in(config_path, std::ios::binary);
  if (!in)
    throw DataError(config_path + ": cannot open (init = " + dir +
                    " must be a Hugging Face BERT directory: config.json, model.safetensors)");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(config_path + ": not JSON: " + e.what());
  }
  const BertConfig file = BertConfig::from_hf_config(json, config_path);
  const BertConfig& want = model.config();
  const std::pair<const char*, std::pair<int64_t, int64_t>> fields[] = {
      {"num_hidden_layers", {file.layers, want.layers}},
      {"hidden_size", {file.hidden, want.hidden}},
      {"num_attention_heads", {file.heads, want.heads}},
      {"intermediate_size", {file.intermediate, want.intermediate}},
      {"vocab_size", {file.vocab_size, want.vocab_size}},
      {"max_position_embeddings", {file.max_positions, want.max_positions}},
      {"type_vocab_size", {file.type_vocab_size, want.type_vocab_size}},
  };
  for (const auto& [key, values] : fields)
    if (values.first != values.second)
      throw DataError(config_path + ": " + key + " " + std::to_string(values.first) +
                      ", but the grid's " + want.name() + " (with the grid's vocabulary) has " +
                      std::to_string(values.second));
  return load_hf_weights(model, SafetensorsFile::read(dir + "/model.safetensors"));
}

int64_t bert_forward_macs(const BertConfig& c, int64_t tokens) {
  const int64_t per_token_layer =
      4 * c.hidden * c.hidden + 2 * tokens * c.hidden + 2 * c.hidden * c.intermediate;
  return c.layers * tokens * per_token_layer + c.hidden * c.hidden + c.hidden * c.num_labels;
}

}  // namespace kdbench::models
