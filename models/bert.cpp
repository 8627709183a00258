// BERT encoders and their classification head (kdbench/models/bert.h). Module and parameter names
// are Hugging Face's (modeling_bert.py), hence the capitalised "LayerNorm".
#include "kdbench/models/bert.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <regex>
#include <set>

#include "bert_parts.h"
#include "kdbench/core/errors.h"

namespace kdbench::models {

using namespace bert_parts;  // NOLINT(google-build-using-namespace): this library's own parts

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

nlohmann::json BertConfig::to_hf_config(const std::string& architecture) const {
  return {{"architectures", {architecture}},
          {"model_type", "bert"},
          {"hidden_act", "gelu"},
          {"hidden_size", hidden},
          {"num_hidden_layers", layers},
          {"num_attention_heads", heads},
          {"intermediate_size", intermediate},
          {"vocab_size", vocab_size},
          {"max_position_embeddings", max_positions},
          {"type_vocab_size", type_vocab_size},
          {"pad_token_id", pad_token_id},
          {"layer_norm_eps", layer_norm_eps},
          {"hidden_dropout_prob", hidden_dropout},
          {"attention_probs_dropout_prob", attention_dropout},
          {"initializer_range", kInitStd}};
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
  init_bert_weights(*this);
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
  if (!inputs.token_weights.defined())
    return forward(inputs.input_ids, inputs.attention_mask, inputs.token_type_ids);
  const auto& ids = inputs.input_ids;
  if (inputs.token_weights.dim() != 2 || inputs.token_weights.size(1) != config_.vocab_size)
    throw ConfigError("model '" + config_.name() + "': replaced tokens must be K×" +
                      std::to_string(config_.vocab_size) + " rows over the vocabulary, got " +
                      c10::str(inputs.token_weights.sizes()));
  const auto E = word_embeddings();
  // Every position's embedding by id, then the replaced positions' rows·E in their place (in the
  // lookup's dtype: under autocast the product may come out in a lower precision).
  const auto by_id = torch::embedding(E, ids.reshape({-1}), config_.pad_token_id);
  const auto rows = torch::matmul(inputs.token_weights.to(E.scalar_type()), E);
  const auto words = by_id.index_copy(0, inputs.token_positions, rows.to(by_id.scalar_type()))
                         .view({ids.size(0), ids.size(1), config_.hidden});
  return forward_embeds(words, inputs.attention_mask, inputs.token_type_ids);
}

torch::Tensor BertClassifierImpl::forward_embeds(const torch::Tensor& inputs_embeds,
                                                 const torch::Tensor& attention_mask,
                                                 const torch::Tensor& token_type_ids) {
  return classifier_(dropout_(
      bert_->pooled(bert_->sequence_from_words(inputs_embeds, attention_mask, token_type_ids))));
}

torch::Tensor BertClassifierImpl::word_embeddings() const { return bert_->word_embeddings(); }

BertLoadReport load_hf_weights(BertClassifierImpl& model, const SafetensorsFile& file) {
  return load_weights_by_name(model, model.config(), file, "classifier.");
}

namespace bert_parts {

BertLoadReport load_weights_by_name(torch::nn::Module& model, const BertConfig& config,
                                    const SafetensorsFile& file, const std::string& head_prefix) {
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
      if (name.rfind(head_prefix, 0) == 0) {
        report.initialised.push_back(name);
        continue;
      }
      throw DataError(file.path() + ": no tensor '" + name + "' (nor '" + spellings.back() +
                      "'): not a BERT checkpoint of this architecture");
    }
    const auto value = file.tensor(*found);
    if (value.sizes() != param.sizes())
      throw DataError(file.path() + ": tensor '" + *found + "' has shape " +
                      c10::str(value.sizes()) + ", the model (" + config.name() + ") needs " +
                      c10::str(param.sizes()));
    param.copy_(value.to(param.scalar_type()));
    used.insert(*found);
    ++report.loaded;
  }
  for (const auto& e : file.entries())
    if (!used.count(e.name)) report.unused.push_back(e.name);
  return report;
}

void check_hf_dir_config(const BertConfig& want, const std::string& dir) {
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
}

}  // namespace bert_parts

BertLoadReport init_from_hf_dir(BertClassifierImpl& model, const std::string& dir) {
  check_hf_dir_config(model.config(), dir);
  return load_hf_weights(model, SafetensorsFile::read(dir + "/model.safetensors"));
}

int64_t bert_forward_macs(const BertConfig& c, int64_t tokens) {
  const int64_t per_token_layer =
      4 * c.hidden * c.hidden + 2 * tokens * c.hidden + 2 * c.hidden * c.intermediate;
  return c.layers * tokens * per_token_layer + c.hidden * c.hidden + c.hidden * c.num_labels;
}

}  // namespace kdbench::models
