// The model registry: names -> builders of cnn.cpp / resnet.cpp, with the checks every family
// shares (known name, num_classes, input shape).
#include "kdbench/models/models.h"

#include <string>
#include <vector>

#include "builders.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"
#include "kdbench/models/bert.h"

namespace kdbench::models {
namespace detail {

std::string shape_text(const InputShape& shape) {
  return std::to_string(shape.channels) + "x" + std::to_string(shape.height) + "x" +
         std::to_string(shape.width);
}

void to_channels_last(torch::nn::Module& net) {
  torch::NoGradGuard no_grad;
  for (auto& p : net.parameters())
    if (p.dim() == 4) p.set_data(channels_last(p));
  for (auto& b : net.buffers())
    if (b.dim() == 4) b.set_data(channels_last(b));
}

// Depth of a registered ResNet name, 0 for anything else.
int resnet_depth(const std::string& name) {
  for (int depth : resnet_depths()) {
    if (name == "resnet" + std::to_string(depth)) return depth;
  }
  return 0;
}

}  // namespace detail

namespace {

constexpr const char* kResNetPrefix = "resnet";
using detail::resnet_depth;

bool is_cnn(const std::string& name) {
  for (const std::string& cnn : detail::cnn_names()) {
    if (name == cnn) return true;
  }
  return false;
}

void check_request(const std::string& name, int64_t num_classes, const InputShape& shape) {
  if (is_bert_name(name)) BertConfig::from_name(name);  // its own error names the rule broken
  if (!is_known(name)) {
    throw ConfigError("unknown model '" + name + "' (known: " + join(known(), " ") +
                      " and, for text, bert-L{layers}-H{hidden}[-A{heads}])");
  }
  // One output is a regression head (STS-B), which only the BERT family has.
  if (num_classes < (is_bert_name(name) ? 1 : 2)) {
    throw ConfigError("model '" + name + "': num_classes must be at least " +
                      (is_bert_name(name) ? "1 (1: a regression head)" : "2") + ", got " +
                      std::to_string(num_classes));
  }
  if (is_bert_name(name) != shape.is_text()) {
    throw ConfigError("model '" + name + "' " +
                      (shape.is_text() ? "reads images; this dataset is text (models for text: "
                                         "bert-L{layers}-H{hidden}[-A{heads}])"
                                       : "reads token sequences; this dataset holds images"));
  }
  if (shape.is_text()) {
    if (shape.max_tokens < 2 || shape.max_tokens > 512)
      throw ConfigError("model '" + name + "': max_seq_length " + std::to_string(shape.max_tokens) +
                        " is not in 2..512 (BERT's positions)");
    return;
  }
  if (shape.channels < 1 || shape.height < 1 || shape.width < 1) {
    throw ConfigError("model '" + name + "': input shape " + detail::shape_text(shape) +
                      " must be positive in every dimension");
  }
}

// The BERT configuration of a registered name for a text input of `shape`.
BertConfig bert_config(const std::string& name, int64_t num_classes, const InputShape& shape) {
  BertConfig c = BertConfig::from_name(name);
  c.vocab_size = shape.vocab_size;
  c.num_labels = num_classes;
  return c;
}

}  // namespace

std::vector<std::string> known() {
  std::vector<std::string> names = detail::cnn_names();
  for (int depth : detail::resnet_depths()) names.push_back(kResNetPrefix + std::to_string(depth));
  return names;
}

bool is_known(const std::string& name) {
  if (is_bert_name(name)) {
    try {
      BertConfig::from_name(name);
      return true;
    } catch (const ConfigError&) {
      return false;
    }
  }
  return is_cnn(name) || resnet_depth(name) > 0;
}

Net make(const std::string& name, int64_t num_classes, const InputShape& shape) {
  check_request(name, num_classes, shape);
  if (is_bert_name(name)) return BertClassifier(bert_config(name, num_classes, shape)).ptr();
  if (is_cnn(name)) return detail::make_cnn(name, num_classes, shape);
  return detail::make_resnet(resnet_depth(name), num_classes, shape);
}

int64_t forward_macs(const std::string& name, int64_t num_classes, const InputShape& shape) {
  check_request(name, num_classes, shape);
  if (is_bert_name(name))
    return bert_forward_macs(bert_config(name, num_classes, shape), shape.max_tokens);
  if (is_cnn(name)) return detail::cnn_macs(name, num_classes, shape);
  return detail::resnet_macs(resnet_depth(name), num_classes, shape);
}

Inputs Inputs::slice(int64_t begin, int64_t end) const {
  const auto rows = [&](const torch::Tensor& t) {
    return t.defined() ? t.slice(0, begin, end) : torch::Tensor();
  };
  Inputs out;
  out.images = rows(images);
  out.input_ids = rows(input_ids);
  out.attention_mask = rows(attention_mask);
  out.token_type_ids = rows(token_type_ids);
  if (token_positions.defined()) {
    const int64_t width = input_ids.size(1);
    const auto keep = (token_positions >= begin * width) & (token_positions < end * width);
    out.token_positions = token_positions.masked_select(keep) - begin * width;
    out.token_weights = token_weights.index({keep});
  }
  return out;
}

int64_t count_parameters(const torch::nn::Module& net) {
  int64_t count = 0;
  for (const torch::Tensor& parameter : net.parameters(/*recurse=*/true)) {
    if (parameter.requires_grad()) count += parameter.numel();
  }
  return count;
}

}  // namespace kdbench::models
