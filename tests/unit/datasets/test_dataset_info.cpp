// datasets::info(): the facts the grid plans with, and that the loader agrees with them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fixtures.h"
#include "kdbench/core/errors.h"
#include "kdbench/datasets/dataset.h"
#include "kdbench/datasets/dataset_info.h"

namespace kdbench::datasets::testing {
namespace {

void expect_shape(const InputShape& s, int64_t c, int64_t h, int64_t w) {
  EXPECT_EQ(s.channels, c);
  EXPECT_EQ(s.height, h);
  EXPECT_EQ(s.width, w);
}

// Empty files under the names info() gives (CIFAR ones in `subdir`): enough for check_files().
void touch_files(const TempDir& dir, const DatasetInfo& d, const std::string& subdir = "") {
  const auto at = dir.path() / subdir;
  std::filesystem::create_directories(at);
  for (const auto* list : {&d.train_files, &d.test_files})
    for (const auto& name : *list) write_file((at / name).string(), {});
}

DataConfig config_for(const std::string& dataset, const TempDir& dir) {
  DataConfig cfg;
  cfg.dataset = dataset;
  cfg.data_dir = dir.path().string();
  cfg.val_fraction = 0.0;
  if (info(dataset).is_text()) {  // a text dataset needs its tokenizer's vocabulary too
    cfg.vocab = dir.file("vocab.txt");
    std::ofstream(cfg.vocab) << "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";
  }
  return cfg;
}

TEST(DatasetInfo, FactsOfEachDataset) {
  for (const std::string name : {"fashion-mnist", "mnist"}) {
    const DatasetInfo& d = info(name);
    EXPECT_EQ(d.name, name);
    EXPECT_EQ(d.num_classes, 10);
    expect_shape(d.shape, 1, 28, 28);
    EXPECT_EQ(d.train_size, 60000);
    EXPECT_EQ(d.test_size, 10000);
    EXPECT_EQ(d.format, FileFormat::kIdx);
    EXPECT_EQ(d.train_files,
              (std::vector<std::string>{"train-images-idx3-ubyte", "train-labels-idx1-ubyte"}));
    EXPECT_EQ(d.test_files,
              (std::vector<std::string>{"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}));
    EXPECT_EQ(d.archive_dir, "");
  }
  const DatasetInfo& c10 = info("cifar10");
  EXPECT_EQ(c10.num_classes, 10);
  expect_shape(c10.shape, 3, 32, 32);
  EXPECT_EQ(c10.train_size, 50000);
  EXPECT_EQ(c10.test_size, 10000);
  EXPECT_EQ(c10.format, FileFormat::kCifar10Binary);
  EXPECT_EQ(c10.train_files,
            (std::vector<std::string>{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                      "data_batch_4.bin", "data_batch_5.bin"}));
  EXPECT_EQ(c10.test_files, (std::vector<std::string>{"test_batch.bin"}));
  EXPECT_EQ(c10.archive_dir, "cifar-10-batches-bin");
  const DatasetInfo& c100 = info("cifar100");
  EXPECT_EQ(c100.num_classes, 100);
  expect_shape(c100.shape, 3, 32, 32);
  EXPECT_EQ(c100.train_size, 50000);
  EXPECT_EQ(c100.test_size, 10000);
  EXPECT_EQ(c100.format, FileFormat::kCifar100Binary);
  EXPECT_EQ(c100.train_files, (std::vector<std::string>{"train.bin"}));
  EXPECT_EQ(c100.test_files, (std::vector<std::string>{"test.bin"}));
  EXPECT_EQ(c100.archive_dir, "cifar-100-binary");
}

TEST(DatasetInfo, UnknownNameListsTheKnownOnes) {
  const std::string kKnown =
      "fashion-mnist mnist cifar10 cifar100 glue-cola glue-sst2 glue-mrpc glue-stsb glue-qqp "
      "glue-mnli glue-qnli glue-rte glue-wnli spam spam-pair sotu-party review-sentiment";
  EXPECT_EQ(error_message<ConfigError>([] { info("imagenet"); }),
            "dataset: unknown dataset 'imagenet'; known: " + kKnown);
  EXPECT_EQ(error_message<ConfigError>([] { info(""); }),
            "dataset: unknown dataset ''; known: " + kKnown);
  EXPECT_THROW(info("CIFAR10"), ConfigError);  // names are exact
  std::vector<std::string> names;
  for (const auto& d : all_datasets()) names.push_back(d.name);
  EXPECT_EQ(names, known_datasets());
}

// check_files() looks for exactly the files info() names, each one reported when missing.
TEST(DatasetInfo, TheLoaderLooksForTheseFiles) {
  for (const auto& d : all_datasets()) {
    SCOPED_TRACE(d.name);
    TempDir dir;
    touch_files(dir, d, d.archive_dir);
    const DataConfig cfg = config_for(d.name, dir);
    EXPECT_NO_THROW(check_files(cfg));
    for (const auto* list : {&d.train_files, &d.test_files})
      for (const auto& name : *list) {
        const auto file = dir.path() / d.archive_dir / name;
        std::filesystem::rename(file, file.string() + ".away");
        const std::string msg = error_message<DataError>([&] { check_files(cfg); });
        EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
        std::filesystem::rename(file.string() + ".away", file);
      }
  }
}

TEST(DatasetInfo, LoadedCifarAgreesWithTheFacts) {
  for (const std::string name : {"cifar10", "cifar100"}) {
    SCOPED_TRACE(name);
    const DatasetInfo& d = info(name);
    TempDir dir;
    const bool cifar100 = d.format == FileFormat::kCifar100Binary;
    for (const auto* list : {&d.train_files, &d.test_files})
      for (const auto& file : *list) write_file(dir.file(file), cifar_records(2, cifar100));
    const Splits s = load(config_for(name, dir));
    EXPECT_EQ(s.num_classes, d.num_classes);
    expect_shape(s.shape, d.shape.channels, d.shape.height, d.shape.width);
    EXPECT_EQ(s.train.size(), 2 * static_cast<int64_t>(d.train_files.size()));
  }
}

TEST(DatasetInfo, RealFashionMnistAgreesWithTheFacts) {
  const DatasetInfo& d = info("fashion-mnist");
  DataConfig cfg;
  cfg.dataset = d.name;
  cfg.data_dir = "/usr/share/datasets/fashion-mnist";
  const Splits s = load(cfg);
  EXPECT_EQ(s.train.size() + s.val.size(), d.train_size);
  EXPECT_EQ(s.test.size(), d.test_size);
  EXPECT_EQ(s.num_classes, d.num_classes);
  expect_shape(s.shape, d.shape.channels, d.shape.height, d.shape.width);
}

}  // namespace
}  // namespace kdbench::datasets::testing
