// BERT's masked-LM head: Hugging Face's parameter names, the decoder tied to the word embeddings
// (one storage, gradients from both uses), the gathered logits equal to the full ones, the saved
// directory loading into a classifier, and (BertMlmReference.*, needs /usr/bin/python3 with torch)
// the logits equal to a plain-PyTorch BertLMPredictionHead.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "kdbench/core/errors.h"
#include "kdbench/models/bert_mlm.h"

namespace kdbench::models {
namespace {

namespace fs = std::filesystem;

BertConfig tiny_config() {
  BertConfig c = BertConfig::from_name("bert-L2-H32-A2");
  c.vocab_size = 60;
  c.max_positions = 16;
  return c;
}

struct TokenBatch {
  torch::Tensor ids, mask, types;
};
TokenBatch tiny_batch() {
  return {torch::tensor({{2, 7, 11, 3, 0, 0}, {2, 5, 9, 13, 17, 3}}, torch::kLong),
          torch::tensor({{1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1}}, torch::kLong),
          torch::tensor({{0, 0, 0, 0, 0, 0}, {0, 0, 0, 1, 1, 1}}, torch::kLong)};
}

// Hugging Face's BertForMaskedLM.named_parameters() (which lists the tied decoder weight once, as
// the word embeddings, and cls.predictions.decoder.bias as cls.predictions.bias) plus the pooler,
// which BertForPreTraining has too.
TEST(BertMaskedLM, ParameterNamesAreHuggingFaces) {
  BertMaskedLMImpl model(BertConfig::from_name("bert-L1-H64"));
  std::set<std::string> names;
  for (const auto& p : model.named_parameters()) names.insert(p.key());
  std::set<std::string> expected = {"bert.embeddings.word_embeddings.weight",
                                    "bert.embeddings.position_embeddings.weight",
                                    "bert.embeddings.token_type_embeddings.weight",
                                    "bert.embeddings.LayerNorm.weight",
                                    "bert.embeddings.LayerNorm.bias",
                                    "bert.pooler.dense.weight",
                                    "bert.pooler.dense.bias",
                                    "cls.predictions.bias",
                                    "cls.predictions.transform.dense.weight",
                                    "cls.predictions.transform.dense.bias",
                                    "cls.predictions.transform.LayerNorm.weight",
                                    "cls.predictions.transform.LayerNorm.bias"};
  for (const char* part : {"attention.self.query", "attention.self.key", "attention.self.value",
                           "attention.output.dense", "attention.output.LayerNorm",
                           "intermediate.dense", "output.dense", "output.LayerNorm"})
    for (const char* kind : {".weight", ".bias"})
      expected.insert(std::string("bert.encoder.layer.0.") + part + kind);
  EXPECT_EQ(names, expected);
  EXPECT_EQ(model.named_parameters().size(), expected.size());
  // BERT-Base's head adds h² + h (dense) + 2h (LayerNorm) + V (bias) to the 109,482,240 encoder.
  EXPECT_EQ(count_parameters(BertMaskedLMImpl(BertConfig::from_name("bert-L12-H768"))),
            109'482'240 + 768 * 768 + 768 + 2 * 768 + 30'522);
}

TEST(BertMaskedLM, TheDecoderIsTheWordEmbeddingOneStorage) {
  torch::manual_seed(2);
  BertMaskedLMImpl model(tiny_config());
  auto params = model.named_parameters();
  auto words = params["bert.embeddings.word_embeddings.weight"];
  int64_t vocabulary_sized = 0, sharing = 0;  // parameters of V×h, and those on E's storage
  for (const auto& p : model.parameters()) {
    vocabulary_sized += p.sizes() == words.sizes();
    sharing += p.data_ptr() == words.data_ptr();
  }
  EXPECT_EQ(vocabulary_sized, 1);
  EXPECT_EQ(sharing, 1);
  // Changing the embedding of token 20 changes every position's logit for token 20 (the decoder)
  // and no other logit, token 20 being no input.
  const auto b = tiny_batch();
  model.eval();
  torch::NoGradGuard no_grad;
  const auto before = model.forward(b.ids, b.mask, b.types);
  // Not a constant shift: the transform's LayerNorm output sums to zero (with its initial 1/0).
  words[20].add_(torch::randn({32}));  // token 20 appears in no input
  const auto after = model.forward(b.ids, b.mask, b.types);
  const auto changed = (after - before).abs().gt(1e-6).any(1).any(0);  // per vocabulary entry
  EXPECT_TRUE(changed[20].item<bool>());
  EXPECT_EQ(changed.sum().item<int64_t>(), 1);
}

TEST(BertMaskedLM, GradientsReachTheTiedWeightFromTheHead) {
  torch::manual_seed(3);
  BertMaskedLMImpl model(tiny_config());
  const auto b = tiny_batch();
  // Only the logit of token 20 (never an input) gets a gradient: its embedding row learns
  // through the decoder alone.
  model.forward(b.ids, b.mask, b.types).select(2, 20).sum().backward();
  const auto grad = model.named_parameters()["bert.embeddings.word_embeddings.weight"].grad();
  EXPECT_GT(grad[20].abs().sum().item<double>(), 0.0);
  EXPECT_EQ(grad[30].abs().sum().item<double>(), 0.0);  // neither input nor output
  EXPECT_GT(model.named_parameters()["cls.predictions.bias"].grad()[20].item<double>(), 0.0);
}

TEST(BertMaskedLM, GatheredLogitsAreTheFullLogitsRows) {
  torch::manual_seed(4);
  BertMaskedLMImpl model(tiny_config());
  model.eval();
  const auto b = tiny_batch();
  torch::NoGradGuard no_grad;
  const auto full = model.forward(b.ids, b.mask, b.types);
  EXPECT_EQ(full.sizes(), (std::vector<int64_t>{2, 6, 60}));
  const auto positions = torch::tensor({1, 2, 7, 10}, torch::kLong);  // (0,1) (0,2) (1,1) (1,4)
  const auto gathered = model.masked_logits(b.ids, b.mask, b.types, positions);
  EXPECT_EQ(gathered.sizes(), (std::vector<int64_t>{4, 60}));
  EXPECT_TRUE(
      torch::allclose(gathered, full.reshape({12, 60}).index_select(0, positions), 1e-6, 1e-6));
  EXPECT_EQ(model.masked_logits(b.ids, b.mask, b.types, torch::zeros({0}, torch::kLong)).size(0),
            0);
}

TEST(BertMaskedLM, InitialisationIsBerts) {
  torch::manual_seed(1);
  BertMaskedLMImpl model(BertConfig::from_name("bert-L1-H256"));
  auto p = model.named_parameters();
  EXPECT_NEAR(p["cls.predictions.transform.dense.weight"].std().item<double>(), 0.02, 0.001);
  EXPECT_EQ(p["cls.predictions.transform.dense.bias"].abs().sum().item<double>(), 0.0);
  EXPECT_EQ(p["cls.predictions.transform.LayerNorm.weight"].min().item<double>(), 1.0);
  EXPECT_EQ(p["cls.predictions.bias"].abs().sum().item<double>(), 0.0);
  EXPECT_EQ(p["bert.embeddings.word_embeddings.weight"][0].abs().sum().item<double>(), 0.0);
}

TEST(BertMaskedLM, ASavedDirectoryLoadsIntoAClassifier) {
  const fs::path dir = fs::path(KDBENCH_BINARY_DIR) / "tests" / "bert_mlm_saved";
  fs::remove_all(dir);
  torch::manual_seed(5);
  BertMaskedLMImpl mlm(tiny_config());
  {
    torch::NoGradGuard no_grad;  // weights unlike any fresh initialisation
    for (auto& p : mlm.parameters()) p.add_(torch::randn_like(p) * 0.1);
  }
  save_hf_dir(mlm, dir.string());
  std::ifstream in(dir / "config.json");
  const auto config = nlohmann::json::parse(in);
  EXPECT_EQ(config["architectures"], nlohmann::json::array({"BertForMaskedLM"}));
  EXPECT_EQ(config["model_type"], "bert");
  EXPECT_EQ(config["hidden_act"], "gelu");
  const auto back = BertConfig::from_hf_config(config, "config.json");
  EXPECT_EQ(back.name(), tiny_config().name());
  EXPECT_EQ(back.vocab_size, 60);
  EXPECT_EQ(back.max_positions, 16);

  BertConfig with_head = tiny_config();
  with_head.num_labels = 3;
  BertClassifierImpl classifier(with_head);
  const auto report = init_from_hf_dir(classifier, dir.string());
  EXPECT_EQ(report.initialised, (std::vector<std::string>{"classifier.weight", "classifier.bias"}));
  EXPECT_EQ(std::set<std::string>(report.unused.begin(), report.unused.end()),
            (std::set<std::string>{"cls.predictions.bias", "cls.predictions.transform.dense.weight",
                                   "cls.predictions.transform.dense.bias",
                                   "cls.predictions.transform.LayerNorm.weight",
                                   "cls.predictions.transform.LayerNorm.bias"}));
  const auto saved = mlm.named_parameters();
  int64_t compared = 0;
  for (const auto& p : classifier.named_parameters()) {
    if (p.key().rfind("classifier.", 0) == 0) continue;
    EXPECT_TRUE(torch::equal(p.value(), saved[p.key()])) << p.key();
    ++compared;
  }
  EXPECT_EQ(compared, report.loaded);
  // The file itself holds every parameter once (no separate decoder weight).
  const auto file = SafetensorsFile::read((dir / "model.safetensors").string());
  EXPECT_EQ(file.entries().size(), mlm.named_parameters().size());
  EXPECT_FALSE(file.contains("cls.predictions.decoder.weight"));
  EXPECT_EQ(file.metadata().at("format"), "pt");
}

// ---- against the plain-PyTorch reference (bert_reference.py's mlm.safetensors) ----

TEST(BertMlmReference, LogitsEqualPlainPyTorch) {
  const fs::path dir = fs::path(KDBENCH_BINARY_DIR) / "tests" / "bert_mlm_reference";
  const std::string command = "/usr/bin/python3 " + std::string(KDBENCH_SOURCE_DIR) +
                              "/tests/unit/models/bert_reference.py " + dir.string();
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream in(dir / "config.json");
  BertMaskedLMImpl model(
      BertConfig::from_hf_config(nlohmann::json::parse(in), (dir / "config.json").string()));
  const auto file = SafetensorsFile::read((dir / "mlm.safetensors").string());
  // Every parameter by its own name, and every tensor of the file taken: the names are the
  // reference's, which are Hugging Face's.
  EXPECT_EQ(file.entries().size(), model.named_parameters().size());
  {
    torch::NoGradGuard no_grad;
    for (auto& p : model.named_parameters()) p.value().copy_(file.tensor(p.key()));
  }
  model.eval();
  const auto inputs = SafetensorsFile::read((dir / "inputs.safetensors").string());
  const auto ids = inputs.tensor("input_ids"), mask = inputs.tensor("attention_mask"),
             types = inputs.tensor("token_type_ids"), expected = inputs.tensor("mlm_logits");
  torch::NoGradGuard no_grad;
  const auto logits = model.forward(ids, mask, types);
  EXPECT_LE((logits - expected).abs().max().item<double>(), 1e-5);
  const auto positions = torch::tensor({0, 2, 9, 17}, torch::kLong);
  EXPECT_LE((model.masked_logits(ids, mask, types, positions) -
             expected.reshape({-1, expected.size(-1)}).index_select(0, positions))
                .abs()
                .max()
                .item<double>(),
            1e-5);
}

}  // namespace
}  // namespace kdbench::models
