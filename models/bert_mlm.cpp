// BERT's masked-LM head (kdbench/models/bert_mlm.h), as Hugging Face's BertLMPredictionHead:
// transform (dense, GELU, LayerNorm), then the word embeddings as the decoder plus a bias.
#include "kdbench/models/bert_mlm.h"

#include <filesystem>

#include "bert_parts.h"
#include "kdbench/core/errors.h"
#include "kdbench/models/safetensors.h"

namespace kdbench::models {

BertMaskedLMImpl::BertMaskedLMImpl(const BertConfig& config) : config_(config) {
  bert_parts::check_config(config_, "model '" + config_.name() + "'");
  bert_ = register_module("bert", BertEncoder(config_));
  // "cls.predictions.transform.dense" etc.: plain modules that only carry Hugging Face's names.
  auto cls = register_module("cls", std::make_shared<torch::nn::Module>());
  auto predictions = cls->register_module("predictions", std::make_shared<torch::nn::Module>());
  auto transform = predictions->register_module("transform", std::make_shared<torch::nn::Module>());
  transform_dense_ =
      transform->register_module("dense", torch::nn::Linear(config_.hidden, config_.hidden));
  transform_norm_ = transform->register_module("LayerNorm", bert_parts::layer_norm(config_));
  decoder_bias_ = predictions->register_parameter("bias", torch::zeros({config_.vocab_size}));
  bert_parts::init_bert_weights(*this);
}

torch::Tensor BertMaskedLMImpl::head(const torch::Tensor& hidden) {
  const auto h = transform_norm_(torch::gelu(transform_dense_(hidden)));  // erf GELU
  return torch::linear(h, bert_->word_embeddings(), decoder_bias_);       // the tied decoder
}

torch::Tensor BertMaskedLMImpl::masked_logits(const torch::Tensor& input_ids,
                                              const torch::Tensor& attention_mask,
                                              const torch::Tensor& token_type_ids,
                                              const torch::Tensor& positions) {
  const auto hidden = bert_->sequence(input_ids, attention_mask, token_type_ids);
  return head(hidden.reshape({-1, config_.hidden}).index_select(0, positions));
}

torch::Tensor BertMaskedLMImpl::forward(const torch::Tensor& input_ids,
                                        const torch::Tensor& attention_mask,
                                        const torch::Tensor& token_type_ids) {
  return head(bert_->sequence(input_ids, attention_mask, token_type_ids));
}

torch::Tensor BertMaskedLMImpl::forward(const Inputs& inputs) {
  if (!inputs.is_text())
    throw ConfigError("model '" + config_.name() + "' reads token ids; this batch holds images");
  return forward(inputs.input_ids, inputs.attention_mask, inputs.token_type_ids);
}

void save_hf_dir(BertMaskedLMImpl& model, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw IoError(dir + ": cannot create the model directory: " + ec.message());
  NamedTensors tensors;
  for (const auto& p : model.named_parameters(/*recurse=*/true))
    tensors.emplace_back(p.key(), p.value().detach().to(torch::kFloat32));
  // Weights first: config.json is what init_from_hf_dir opens first, so a directory that has it
  // has its weights (a crash in between leaves the previous config.json, or none).
  write_safetensors(dir + "/model.safetensors", tensors, {{"format", "pt"}});
  write_file_replacing(dir + "/config.json",
                       model.config().to_hf_config("BertForMaskedLM").dump(1) + "\n");
}

BertLoadReport init_from_hf_dir(BertMaskedLMImpl& model, const std::string& dir) {
  bert_parts::check_hf_dir_config(model.config(), dir);
  return bert_parts::load_weights_by_name(
      model, model.config(), SafetensorsFile::read(dir + "/model.safetensors"), "cls.");
}

}  // namespace kdbench::models
