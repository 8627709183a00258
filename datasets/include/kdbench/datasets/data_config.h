#pragma once
// Which data a grid trains on; kept apart from dataset.h so the grid headers need no LibTorch.
#include <cstdint>
#include <string>

namespace kdbench::datasets {

struct DataConfig {
  std::string dataset = "fashion-mnist";  // fashion-mnist | mnist | cifar10 | cifar100
  std::string data_dir;
  double val_fraction = 0.1;  // of the training file, held out for model selection
  uint64_t split_seed = 0;    // the split is a pure function of this seed
  int64_t train_subset = 0;   // > 0: keep this many training images (after the split)
  int64_t test_subset = 0;    // > 0: keep the first this many test images (tiny tests)
  // Text datasets only (docs/text.md): the tokenizer and the path of its vocabulary (wordpiece:
  // a BERT vocab.txt; sentencepiece: the grid's trained .model, of vocab_size pieces), and the
  // longest sequence kept.
  std::string tokenizer = "wordpiece";
  std::string vocab;
  int64_t vocab_size = 8000;
  int64_t max_seq_length = 128;
  std::string metric;  // the selection metric (datasets::selectable_metrics); "" = the task's own
};

}  // namespace kdbench::datasets
