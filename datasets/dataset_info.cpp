#include "kdbench/datasets/dataset_info.h"

#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"
#include "kdbench/datasets/glue.h"

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

// Sizes are the released files' (GLUE's train and first dev file; the local corpora's train and
// test as scripts/fetch-text-data.sh writes them), for cost estimates before anything is read.
DatasetInfo text_dataset(const std::string& name, const std::string& task, int64_t train,
                         int64_t test) {
  const GlueTask* t = text_task_of_dataset(name);
  DatasetInfo d;
  d.name = name;
  d.text_task = task;
  d.num_classes = t->labels.empty() ? 1 : static_cast<int64_t>(t->labels.size());  // 1: STS-B
  d.shape = {0, 0, 0};
  d.train_size = train;
  d.test_size = test;
  d.format = FileFormat::kTextTsv;
  d.train_files = {"train.tsv"};
  d.test_files = t->local ? t->test_files : t->dev_files;
  d.test_files.resize(1);  // MNLI: matched; review-sentiment: the in-domain test
  if (t->local) d.train_files.push_back(t->dev_files.front());  // validates: read with train
  return d;
}

}  // namespace

const std::vector<DatasetInfo>& all_datasets() {
  static const std::vector<DatasetInfo> all = {
      idx_dataset("fashion-mnist"),
      idx_dataset("mnist"),
      cifar10(),
      cifar100(),
      text_dataset("glue-cola", "cola", 8551, 1043),
      text_dataset("glue-sst2", "sst2", 67349, 872),
      text_dataset("glue-mrpc", "mrpc", 3668, 408),
      text_dataset("glue-stsb", "stsb", 5749, 1500),
      text_dataset("glue-qqp", "qqp", 363846, 40430),
      text_dataset("glue-mnli", "mnli", 392702, 9815),
      text_dataset("glue-qnli", "qnli", 104743, 5463),
      text_dataset("glue-rte", "rte", 2490, 277),
      text_dataset("glue-wnli", "wnli", 635, 71),
      text_dataset("spam", "spam", 4774, 642),
      text_dataset("spam-pair", "spam-pair", 9516, 1278),
      text_dataset("sotu-party", "sotu-party", 43540, 3906),
      text_dataset("review-sentiment", "review-sentiment", 1621, 193),
  };
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
