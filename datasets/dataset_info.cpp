#include "kdbench/datasets/dataset_info.h"

#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"

namespace kdbench::datasets {
namespace {

DatasetInfo idx_dataset(const std::string& name) {
  DatasetInfo d;
  d.name = name;
  d.num_classes = 10;
  d.shape = {1, 28, 28};
  d.train_size = 60000;
  d.test_size = 10000;
  d.format = FileFormat::kIdx;
  d.train_files = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"};
  d.test_files = {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
  return d;
}

DatasetInfo cifar10() {
  DatasetInfo d;
  d.name = "cifar10";
  d.num_classes = 10;
  d.shape = {3, 32, 32};
  d.train_size = 50000;
  d.test_size = 10000;
  d.format = FileFormat::kCifar10Binary;
  d.train_files = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                   "data_batch_5.bin"};
  d.test_files = {"test_batch.bin"};
  d.archive_dir = "cifar-10-batches-bin";
  return d;
}

DatasetInfo cifar100() {
  DatasetInfo d;
  d.name = "cifar100";
  d.num_classes = 100;  // fine labels
  d.shape = {3, 32, 32};
  d.train_size = 50000;
  d.test_size = 10000;
  d.format = FileFormat::kCifar100Binary;
  d.train_files = {"train.bin"};
  d.test_files = {"test.bin"};
  d.archive_dir = "cifar-100-binary";
  return d;
}

}  // namespace

const std::vector<DatasetInfo>& all_datasets() {
  static const std::vector<DatasetInfo> all = {idx_dataset("fashion-mnist"), idx_dataset("mnist"),
                                               cifar10(), cifar100()};
  return all;
}

std::vector<std::string> known_datasets() {
  std::vector<std::string> names;
  for (const auto& d : all_datasets()) names.push_back(d.name);
  return names;
}

const DatasetInfo& info(const std::string& name) {
  for (const auto& d : all_datasets())
    if (d.name == name) return d;
  throw ConfigError("dataset: unknown dataset '" + name +
                    "'; known: " + join(known_datasets(), " "));
}

}  // namespace kdbench::datasets
