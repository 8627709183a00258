// BERT encoders: the published parameter counts, Hugging Face's parameter names, name parsing,
// padding that changes nothing, and (BertReference.*, needs /usr/bin/python3 with torch) the
// forward pass equal to a plain-PyTorch BERT whose checkpoint was written by an independent
// safetensors writer.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include "kdbench/core/errors.h"
#include "kdbench/models/bert.h"
#include "kdbench/models/models.h"

namespace kdbench::models {
namespace {

int64_t encoder_parameters(const BertConfig& c) {
  BertClassifierImpl model(c);
  int64_t n = 0;
  for (const auto& p : model.named_parameters())
    if (p.key().rfind("classifier.", 0) != 0) n += p.value().numel();
  return n;
}

// BertModel sizes (vocabulary 30,522, 512 positions, 2 token types, pooler included) of the
// published BERT-Tiny, -Mini, -Small (Turc et al. 2019) and BERT-Base; Base's 109,482,240 is the
// number Hugging Face prints for bert-base-uncased. Worked out by hand: embeddings V·h + 512·h +
// 2·h + 2·h, per layer 4(h² + h) + 2h + (4h² + 4h) + (4h² + h) + 2h, pooler h² + h.
TEST(Bert, ParameterCountsAreThePublishedSizes) {
  EXPECT_EQ(encoder_parameters(BertConfig::from_name("bert-L2-H128")), 4'385'920);
  EXPECT_EQ(encoder_parameters(BertConfig::from_name("bert-L4-H256")), 11'170'560);
  EXPECT_EQ(encoder_parameters(BertConfig::from_name("bert-L4-H512")), 28'763'648);
  EXPECT_EQ(encoder_parameters(BertConfig::from_name("bert-L12-H768")), 109'482'240);
  // The head: hidden × labels + labels.
  BertConfig c = BertConfig::from_name("bert-L2-H128");
  c.num_labels = 3;
  EXPECT_EQ(count_parameters(BertClassifierImpl(c)), 4'385'920 + 128 * 3 + 3);
}

TEST(Bert, ParameterNamesAreHuggingFacesBertForSequenceClassification) {
  BertClassifierImpl model(BertConfig::from_name("bert-L1-H64"));
  std::vector<std::string> names;
  for (const auto& p : model.named_parameters()) names.push_back(p.key());
  const std::vector<std::string> expected = {
      "bert.embeddings.word_embeddings.weight",
      "bert.embeddings.position_embeddings.weight",
      "bert.embeddings.token_type_embeddings.weight",
      "bert.embeddings.LayerNorm.weight",
      "bert.embeddings.LayerNorm.bias",
      "bert.pooler.dense.weight",
      "bert.pooler.dense.bias",
      "bert.encoder.layer.0.attention.self.query.weight",
      "bert.encoder.layer.0.attention.self.query.bias",
      "bert.encoder.layer.0.attention.self.key.weight",
      "bert.encoder.layer.0.attention.self.key.bias",
      "bert.encoder.layer.0.attention.self.value.weight",
      "bert.encoder.layer.0.attention.self.value.bias",
      "bert.encoder.layer.0.attention.output.dense.weight",
      "bert.encoder.layer.0.attention.output.dense.bias",
      "bert.encoder.layer.0.attention.output.LayerNorm.weight",
      "bert.encoder.layer.0.attention.output.LayerNorm.bias",
      "bert.encoder.layer.0.intermediate.dense.weight",
      "bert.encoder.layer.0.intermediate.dense.bias",
      "bert.encoder.layer.0.output.dense.weight",
      "bert.encoder.layer.0.output.dense.bias",
      "bert.encoder.layer.0.output.LayerNorm.weight",
      "bert.encoder.layer.0.output.LayerNorm.bias",
      "classifier.weight",
      "classifier.bias"};
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()),
            std::set<std::string>(expected.begin(), expected.end()));
  EXPECT_EQ(names.size(), expected.size());
}

TEST(Bert, InitialisationIsBerts) {
  torch::manual_seed(1);
  BertClassifierImpl model(BertConfig::from_name("bert-L2-H256"));
  const auto p = model.named_parameters();
  const auto words = p["bert.embeddings.word_embeddings.weight"];
  EXPECT_NEAR(words.std().item<double>(), 0.02, 0.0005);
  EXPECT_EQ(words[0].abs().sum().item<double>(), 0.0);  // [PAD] embeds to zero
  EXPECT_EQ(p["bert.encoder.layer.1.intermediate.dense.bias"].abs().sum().item<double>(), 0.0);
  EXPECT_EQ(p["bert.encoder.layer.1.output.LayerNorm.weight"].min().item<double>(), 1.0);
  EXPECT_NEAR(p["classifier.weight"].std().item<double>(), 0.02, 0.005);
}

TEST(Bert, NamesParseAndBadNamesSayTheRule) {
  const auto c = BertConfig::from_name("bert-L4-H256");
  EXPECT_EQ(c.layers, 4);
  EXPECT_EQ(c.hidden, 256);
  EXPECT_EQ(c.heads, 4);
  EXPECT_EQ(c.intermediate, 1024);
  EXPECT_EQ(c.name(), "bert-L4-H256");
  const auto a = BertConfig::from_name("bert-L1-H96-A3");
  EXPECT_EQ(a.heads, 3);
  EXPECT_EQ(a.name(), "bert-L1-H96-A3");
  const std::pair<const char*, const char*> bad[] = {
      {"bert-L4", "a BERT name is bert-L{layers}-H{hidden}[-A{heads}]"},
      {"bert-L4-H256-A", "a BERT name is"},
      {"bert-Lx-H256", "a BERT name is"},
      {"bert-L0-H128", "must be at least 1"},
      {"bert-L2-H100", "hidden size 100 is not a multiple of 64; name the heads with -A{heads}"},
      {"bert-L2-H128-A3", "hidden size 128 is not a multiple of the 3 attention heads"},
  };
  for (const auto& [name, expected] : bad) {
    try {
      BertConfig::from_name(name);
      ADD_FAILURE() << name << " must be refused";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  }
}

TEST(Bert, PaddingChangesNothingForTheRealTokens) {
  torch::manual_seed(3);
  BertConfig c = BertConfig::from_name("bert-L2-H128");
  c.vocab_size = 100;
  BertClassifierImpl model(c);
  model.eval();
  const auto ids = torch::tensor({{2, 17, 45, 3}}, torch::kInt64);
  const auto padded = torch::tensor({{2, 17, 45, 3, 0, 0, 0}}, torch::kInt64);
  const auto mask = torch::tensor({{1, 1, 1, 1, 0, 0, 0}}, torch::kInt64);
  const auto types = torch::zeros_like(padded);
  torch::NoGradGuard no_grad;
  const auto short_logits = model.forward(ids, torch::ones_like(ids), torch::zeros_like(ids));
  const auto padded_logits = model.forward(padded, mask, types);
  EXPECT_TRUE(torch::allclose(short_logits, padded_logits, 1e-6, 1e-6))
      << short_logits << padded_logits;
  // ... and the mask matters: unmasked padding changes the result.
  EXPECT_FALSE(torch::allclose(short_logits, model.forward(padded, torch::ones_like(mask), types),
                               1e-6, 1e-6));
}

TEST(Bert, ConfigJsonErrorsNameTheFileAndKey) {
  const auto ok = nlohmann::json{{"hidden_size", 64},        {"num_hidden_layers", 2},
                                 {"num_attention_heads", 2}, {"intermediate_size", 128},
                                 {"vocab_size", 99},         {"hidden_act", "gelu"}};
  const auto c = BertConfig::from_hf_config(ok, "d/config.json");
  EXPECT_EQ(c.vocab_size, 99);
  EXPECT_EQ(c.heads, 2);
  const auto error = [](nlohmann::json j) -> std::string {
    try {
      BertConfig::from_hf_config(j, "d/config.json");
    } catch (const DataError& e) {
      return e.what();
    }
    return "";
  };
  auto no_hidden = ok;
  no_hidden.erase("hidden_size");
  EXPECT_EQ(error(no_hidden), "d/config.json: no \"hidden_size\" (a BERT config.json has it)");
  auto relu = ok;
  relu["hidden_act"] = "relu";
  EXPECT_EQ(error(relu), "d/config.json: hidden_act \"relu\" is not supported (only \"gelu\")");
  auto text = ok;
  text["num_hidden_layers"] = "2";
  EXPECT_EQ(error(text), "d/config.json: \"num_hidden_layers\" is not an integer");
  auto heads = ok;
  heads["num_attention_heads"] = 5;
  EXPECT_NE(error(heads).find("not a multiple of the 5 attention heads"), std::string::npos);
  EXPECT_EQ(error(nlohmann::json::array()), "d/config.json: not a JSON object");
}

TEST(Bert, MacsCountTheMatrixProducts) {
  BertConfig c = BertConfig::from_name("bert-L2-H128");
  // Per token and layer 4·128² + 2·10·128 + 2·128·512 = 65,536 + 2,560 + 131,072 = 199,168;
  // × 10 tokens × 2 layers + pooler 128² + classifier 128·2.
  EXPECT_EQ(bert_forward_macs(c, 10), 2 * 10 * 199'168 + 16'384 + 256);
}

// ---- against the plain-PyTorch reference (bert_reference.py) ----

class BertReference : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::path(KDBENCH_BINARY_DIR) / "tests" / "bert_reference";
    const std::string command = "/usr/bin/python3 " + std::string(KDBENCH_SOURCE_DIR) +
                                "/tests/unit/models/bert_reference.py " + dir_.string();
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static std::filesystem::path dir_;
};
std::filesystem::path BertReference::dir_;

BertConfig reference_config(const std::filesystem::path& dir) {
  std::ifstream in(dir / "config.json");
  auto c = BertConfig::from_hf_config(nlohmann::json::parse(in), (dir / "config.json").string());
  c.num_labels = 3;
  return c;
}

TEST_F(BertReference, ForwardEqualsPlainPyTorch) {
  BertClassifierImpl model(reference_config(dir_));
  const auto file = SafetensorsFile::read((dir_ / "model.safetensors").string());
  const auto report = load_hf_weights(model, file);
  EXPECT_EQ(report.loaded, static_cast<int64_t>(model.parameters().size()));
  EXPECT_TRUE(report.initialised.empty());
  EXPECT_TRUE(report.unused.empty());
  model.eval();
  const auto in = SafetensorsFile::read((dir_ / "inputs.safetensors").string());
  torch::NoGradGuard no_grad;
  const auto ids = in.tensor("input_ids"), mask = in.tensor("attention_mask"),
             types = in.tensor("token_type_ids");
  const auto logits = model.forward(ids, mask, types);
  EXPECT_LE((logits - in.tensor("logits")).abs().max().item<double>(), 1e-5)
      << logits << in.tensor("logits");
  EXPECT_LE(
      (model.sequence_output(ids, mask, types) - in.tensor("hidden")).abs().max().item<double>(),
      1e-5);
}

TEST_F(BertReference, BareEncoderFilesLoadWithLegacyNamesAndAFreshHead) {
  torch::manual_seed(5);
  BertClassifierImpl model(reference_config(dir_));
  const auto head_before = model.named_parameters()["classifier.weight"].clone();
  const auto report =
      load_hf_weights(model, SafetensorsFile::read((dir_ / "bare.safetensors").string()));
  EXPECT_EQ(report.initialised, (std::vector<std::string>{"classifier.weight", "classifier.bias"}));
  EXPECT_EQ(report.unused, std::vector<std::string>{"cls.predictions.bias"});
  EXPECT_TRUE(torch::equal(model.named_parameters()["classifier.weight"], head_before));
  model.eval();
  const auto in = SafetensorsFile::read((dir_ / "inputs.safetensors").string());
  torch::NoGradGuard no_grad;
  const auto hidden = model.sequence_output(in.tensor("input_ids"), in.tensor("attention_mask"),
                                            in.tensor("token_type_ids"));
  EXPECT_LE((hidden - in.tensor("hidden")).abs().max().item<double>(), 1e-5);
}

TEST_F(BertReference, AFileOfAnotherArchitectureNamesTheTensor) {
  BertConfig bigger = reference_config(dir_);
  bigger.intermediate = 96;
  BertClassifierImpl model(bigger);
  try {
    load_hf_weights(model, SafetensorsFile::read((dir_ / "model.safetensors").string()));
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "tensor 'bert.encoder.layer.0.intermediate.dense.weight' has shape [64, 32], "
                  "the model (bert-L2-H32-A4) needs [96, 32]"),
              std::string::npos)
        << e.what();
  }
  BertConfig deeper = reference_config(dir_);
  deeper.layers = 3;
  BertClassifierImpl model3(deeper);
  try {
    load_hf_weights(model3, SafetensorsFile::read((dir_ / "model.safetensors").string()));
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("no tensor 'bert.encoder.layer.2."), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace kdbench::models

namespace kdbench::models {
namespace {

const InputShape kText{0, 0, 0, /*vocab_size=*/50, /*max_tokens=*/16};

// The registry builds BERT classifiers for text shapes: vocabulary and labels from the data, the
// named-input forward equal to the three-tensor one, and each family refused the other's data.
TEST(BertRegistry, MakeBuildsTheClassifierForTheTextShape) {
  torch::manual_seed(1);
  const Net net = make("bert-L1-H64", 3, kText);
  auto* bert = dynamic_cast<BertClassifierImpl*>(net.get());
  ASSERT_NE(bert, nullptr);
  EXPECT_EQ(bert->config().vocab_size, 50);
  EXPECT_EQ(bert->config().num_labels, 3);
  EXPECT_TRUE(is_known("bert-L1-H64"));
  EXPECT_FALSE(is_known("bert-L1-H65"));
  net->eval();
  Inputs in;
  in.input_ids = torch::randint(0, 50, {4, 7}, torch::kLong);
  in.attention_mask = torch::ones({4, 7}, torch::kLong);
  in.attention_mask.slice(1, 5, 7).zero_();
  in.token_type_ids = torch::zeros({4, 7}, torch::kLong);
  const auto logits = net->forward(in);
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{4, 3}));
  EXPECT_TRUE(
      torch::equal(logits, bert->forward(in.input_ids, in.attention_mask, in.token_type_ids)));
  // A gang member's share of the batch: the same rows of every tensor.
  const Inputs share = in.slice(1, 3);
  EXPECT_TRUE(torch::allclose(net->forward(share), logits.slice(0, 1, 3), 1e-5, 1e-6));
  EXPECT_EQ(forward_macs("bert-L1-H64", 3, kText),
            bert_forward_macs(bert->config(), kText.max_tokens));
}

// num_classes 1 is a regression head (STS-B): one output per row; images have no such head.
TEST(BertRegistry, OneClassIsARegressionHead) {
  torch::manual_seed(1);
  const Net net = make("bert-L1-H64", 1, kText);
  Inputs in;
  in.input_ids = torch::randint(0, 50, {4, 7}, torch::kLong);
  in.attention_mask = torch::ones({4, 7}, torch::kLong);
  in.token_type_ids = torch::zeros({4, 7}, torch::kLong);
  EXPECT_EQ(net->forward(in).sizes(), (std::vector<int64_t>{4, 1}));
  EXPECT_THROW(make("bert-L1-H64", 0, kText), ConfigError);
  EXPECT_THROW(make("cnn2", 1, InputShape{1, 28, 28}), ConfigError);
}

TEST(BertRegistry, EachFamilyRefusesTheOthersData) {
  const InputShape image{1, 28, 28};
  const auto message = [](const std::function<void()>& fn) {
    try {
      fn();
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([&] { make("bert-L1-H64", 2, image); }).find("reads token sequences"),
            std::string::npos);
  EXPECT_NE(message([&] { make("cnn2", 2, kText); }).find("reads images"), std::string::npos);
  EXPECT_NE(message([&] { make("bert-L1-H63", 2, kText); }).find("bert-L1-H63"), std::string::npos);
  InputShape too_long = kText;
  too_long.max_tokens = 513;
  EXPECT_NE(message([&] { make("bert-L1-H64", 2, too_long); }).find("2..512"), std::string::npos);
  const Net bert = make("bert-L1-H64", 2, kText);
  EXPECT_THROW(bert->forward(torch::zeros({1, 1, 28, 28})), ConfigError);
}

}  // namespace
}  // namespace kdbench::models
