// BERT from token rows instead of ids (Combined-KD's generator feeds one-hot rows): the forward
// from inputs_embeds = one_hot(ids)·E and from replaced tokens (Inputs::token_weights) equals the
// forward from the ids, exactly for one-hot rows, and gradients reach the rows.
#include <gtest/gtest.h>

#include "kdbench/core/errors.h"
#include "kdbench/models/bert.h"
#include "kdbench/models/models.h"

namespace kdbench::models {
namespace {

struct TinyBert {
  BertClassifier model{nullptr};
  Inputs x;
};

TinyBert tiny_bert() {
  torch::manual_seed(5);
  BertConfig c = BertConfig::from_name("bert-L2-H32-A2");
  c.vocab_size = 50;
  TinyBert t{BertClassifier(c), {}};
  t.model->eval();  // no dropout: the forwards are compared value for value
  t.x.input_ids = torch::tensor({{2, 17, 45, 3, 0}, {2, 8, 9, 11, 3}}, torch::kInt64);
  t.x.attention_mask = torch::tensor({{1, 1, 1, 1, 0}, {1, 1, 1, 1, 1}}, torch::kInt64);
  t.x.token_type_ids = torch::tensor({{0, 0, 0, 0, 0}, {0, 0, 1, 1, 1}}, torch::kInt64);
  return t;
}

TEST(BertEmbeds, OneHotEmbeddingsEqualTheIds) {
  auto t = tiny_bert();
  torch::NoGradGuard no_grad;
  const auto by_ids = t.model->forward(t.x);
  const auto one_hot = torch::one_hot(t.x.input_ids, 50).to(torch::kFloat);
  const auto embeds = torch::matmul(one_hot, t.model->word_embeddings());
  const auto by_embeds = t.model->forward_embeds(embeds, t.x.attention_mask, t.x.token_type_ids);
  EXPECT_TRUE(torch::equal(by_ids, by_embeds)) << by_ids << by_embeds;
}

TEST(BertEmbeds, ReplacedTokensEqualTheIdsTheyEncode) {
  auto t = tiny_bert();
  torch::NoGradGuard no_grad;
  // Positions 1 and 2 of row 0, 3 of row 1 (flat row·T + t) become ids 30, 31, 32 as one-hot rows.
  Inputs replaced = t.x;
  replaced.token_positions = torch::tensor({1, 2, 8}, torch::kInt64);
  replaced.token_weights = torch::one_hot(torch::tensor({30, 31, 32}), 50).to(torch::kFloat);
  Inputs by_ids = t.x;
  by_ids.input_ids = t.x.input_ids.clone();
  by_ids.input_ids.index_put_({0, 1}, 30);
  by_ids.input_ids.index_put_({0, 2}, 31);
  by_ids.input_ids.index_put_({1, 3}, 32);
  const auto want = t.model->forward(by_ids);
  EXPECT_TRUE(torch::allclose(t.model->forward(replaced), want, 1e-6, 1e-6));
  EXPECT_FALSE(torch::allclose(t.model->forward(t.x), want, 1e-6, 1e-6));  // it did replace
  // Rows of another width are refused, naming the vocabulary.
  replaced.token_weights = torch::zeros({3, 49});
  EXPECT_THROW(t.model->forward(replaced), ConfigError);
}

TEST(BertEmbeds, GradientsReachTheTokenRows) {
  auto t = tiny_bert();
  Inputs replaced = t.x;
  replaced.token_positions = torch::tensor({1, 7}, torch::kInt64);
  replaced.token_weights =
      torch::one_hot(torch::tensor({4, 5}), 50).to(torch::kFloat).requires_grad_(true);
  t.model->forward(replaced).sum().backward();
  const auto g = replaced.token_weights.grad();
  ASSERT_TRUE(g.defined());
  // d logits / d row = E·(d logits / d embedding): non-zero for every vocabulary entry but [PAD]'s
  // (its embedding is 0 at init), so each of the 49 others gets gradient.
  EXPECT_EQ((g.abs() > 0).sum(1).min().item<int64_t>(), 49);
}

TEST(BertEmbeds, SlicingKeepsTheReplacedTokensOfTheRows) {
  auto t = tiny_bert();
  Inputs replaced = t.x;
  replaced.token_positions = torch::tensor({1, 7, 9}, torch::kInt64);
  replaced.token_weights = torch::eye(3).repeat({1, 17}).slice(1, 0, 50);
  const Inputs second = replaced.slice(1, 2);
  EXPECT_TRUE(torch::equal(second.token_positions, torch::tensor({2, 4}, torch::kInt64)));
  EXPECT_TRUE(torch::equal(second.token_weights, replaced.token_weights.slice(0, 1, 3)));
}

}  // namespace
}  // namespace kdbench::models
