#pragma once
// A tiny masked-LM problem for the pretraining tests (unit and gang): a synthetic corpus a small
// BERT learns, a config of a few hundred steps, and the model seeded as the pretrain task seeds it.
#include <torch/torch.h>

#include <cstdint>

#include "kdbench/datasets/text_data.h"
#include "kdbench/models/bert_mlm.h"
#include "kdbench/train/pretrain_mlm.h"

namespace kdbench::train::testing {

constexpr int64_t kVocab = 50, kFirstWord = 5, kWidth = 16;  // ids 0..4: specials

// Rows of a repeated pattern "[CLS] a b a b ... [SEP] [PAD]..." (two random words of 5..49) of
// lengths 6..16: a masked word is the word two positions away, so a model that learns drives the
// loss far below ln 50 and the accuracy far above chance (1/45).
inline datasets::TokenSet pattern_corpus(int64_t rows, uint64_t seed) {
  torch::manual_seed(seed);
  const auto words = torch::randint(kFirstWord, kVocab, {rows, 2}, torch::kLong);
  const auto lengths = torch::randint(6, kWidth + 1, {rows}, torch::kLong);
  datasets::TokenSet t;
  t.ids = torch::zeros({rows, kWidth}, torch::kInt);
  auto ids = t.ids.accessor<int32_t, 2>();
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t n = lengths[r].item<int64_t>();
    ids[r][0] = 2;
    for (int64_t i = 1; i + 1 < n; ++i) ids[r][i] = words[r][i % 2].item<int32_t>();
    ids[r][n - 1] = 3;
  }
  t.token_types = torch::zeros({rows, kWidth}, torch::kUInt8);
  t.lengths = lengths;
  t.labels = torch::zeros({rows}, torch::kLong);
  return t;
}

inline PretrainConfig tiny_config() {
  PretrainConfig c;
  c.steps = 200;
  c.eval_every = 50;
  c.train.optimizer = "adamw";
  c.train.lr = 1e-2;
  c.train.weight_decay = 0.01;
  c.train.max_grad_norm = 1.0;
  c.train.lr_schedule.kind = "linear";
  c.train.lr_schedule.warmup_steps = 10;
  c.train.batch_size = 32;
  c.train.eval_batch_size = 64;
  c.masking.mask_id = 4;
  c.masking.vocab_size = kVocab;
  c.masking.special_ids = {0, 1, 2, 3, 4};
  c.seed = 3;
  return c;
}

inline models::BertMaskedLM tiny_model(uint64_t seed) {
  models::BertConfig c = models::BertConfig::from_name("bert-L1-H32-A2");
  c.vocab_size = kVocab;
  c.max_positions = kWidth;
  torch::manual_seed(seed);  // the initial weights, then dropout's stream
  return models::BertMaskedLM(c);
}

}  // namespace kdbench::train::testing
