#pragma once
// Text datasets as the trainer uses them (docs/text.md): a task's TSV files read with the GLUE
// readers (kdbench/datasets/glue.h), tokenised once per process, and kept as padded id tensors
// with each row's length, so a batch is cut to its own longest row (dynamic padding).
//
// Splits. Local corpora ship train/dev/test: validation (model selection) = dev, test = test.
// GLUE's test labels are hidden, so the papers report dev: validation = the first
// round(val_fraction·n) rows of the split_seed permutation of train (as for images), test = the
// task's (first) dev file. train_subset and test_subset cut as for images.
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kdbench/core/shape.h"
#include "kdbench/datasets/data_config.h"
#include "kdbench/datasets/glue.h"

namespace kdbench::datasets {

struct TokenSet {
  torch::Tensor ids;          // int32 N×L, [CLS] a [SEP] (b [SEP]) then the pad id
  torch::Tensor token_types;  // uint8 N×L
  torch::Tensor lengths;      // int64 N, tokens before the padding
  torch::Tensor labels;       // int64 N class indices; float32 N targets for regression (STS-B)
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

struct TextSplits {
  TokenSet train, val, test;
  const GlueTask* task = nullptr;
  std::string metric;       // the one that selects: DataConfig::metric, or the task's own
  int64_t num_classes = 2;  // 1 for regression: one real-valued output
  InputShape shape;         // vocab_size and max_tokens = max_seq_length
  int64_t pad_id = 0;
  // The tokenizer's [CLS], [SEP] and [MASK] (Combined-KD's generator masks around them), and
  // every id masked-LM pretraining never masks ([PAD] [UNK] [CLS] [SEP] [MASK];
  // datasets/mlm_masking.h).
  int64_t cls_id = -1, sep_id = -1, mask_id = -1;
  std::vector<int64_t> special_ids;
  int64_t truncated = 0;  // examples longer than max_seq_length, cut (longest segment first)
};

// The files a text dataset needs (DataError naming the first missing one and the script that
// makes the local corpora) and the tokenizer's vocabulary (DataError naming the `vocab` key).
void check_text_files(const DataConfig& cfg);
// tokenizer = sentencepiece: trains the model on the training split's text (both segments of a
// pair; the split exactly as load_text makes it) and writes it to cfg.vocab, unless a model is
// there already. The grid names the file by the content key of its data and vocab_size, so every
// task of the grid, and every later job, reads the one model. Nothing to do for wordpiece.
void prepare_tokenizer(const DataConfig& cfg);
// Reads, splits and tokenises. ConfigError for a bad max_seq_length,
// val_fraction or subset; DataError for a malformed file (the GLUE readers' lines).
TextSplits load_text(const DataConfig& cfg);

}  // namespace kdbench::datasets
