#pragma once
// What the suite knows about each dataset before reading it (docs/design.md §4): classes, image
// shape, split sizes and file names. Free of LibTorch so the grid can size models and estimate
// costs from it without loading any data.
#include <cstdint>
#include <string>
#include <vector>

#include "kdbench/core/shape.h"

namespace kdbench::datasets {

enum class FileFormat {
  kIdx,             // MNIST-style IDX pairs {images, labels}, each raw or gzipped (name + ".gz")
  kCifar10Binary,   // records [label][3072 pixels]
  kCifar100Binary,  // records [coarse label][fine label][3072 pixels]
  kTextTsv,         // GLUE's TSV layouts (kdbench/datasets/glue.h), tokenised when loaded
};

struct DatasetInfo {
  std::string name;
  int64_t num_classes = 0;  // 1 = regression (glue-stsb): one real-valued output
  InputShape shape;
  int64_t train_size = 0;  // images in the published training files (before the val split)
  int64_t test_size = 0;
  FileFormat format = FileFormat::kIdx;
  // File names under data_dir. IDX: {images, labels}; CIFAR: the record files in order; text:
  // train.tsv (and dev.tsv where it validates), then the labelled split that tests.
  std::vector<std::string> train_files, test_files;
  // CIFAR archives unpack into this sub-directory; data_dir may name it or its parent.
  std::string archive_dir;
  // Text: the task's name in glue.h (sst2, spam, ...); shape's vocabulary and sequence length
  // come from the grid's tokenizer, not from the dataset.
  std::string text_task;
  bool is_text() const { return format == FileFormat::kTextTsv; }
};

// Every known dataset, in the order listed to users.
const std::vector<DatasetInfo>& all_datasets();
// Their names: fashion-mnist mnist cifar10 cifar100, glue-cola ... glue-wnli, spam spam-pair
// sotu-party review-sentiment.
std::vector<std::string> known_datasets();
// The facts of dataset `name`; ConfigError listing the known names for any other.
const DatasetInfo& info(const std::string& name);

}  // namespace kdbench::datasets
