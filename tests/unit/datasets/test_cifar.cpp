// CIFAR binary reader and the CIFAR directory layouts.
#include <gtest/gtest.h>

#include <filesystem>

#include "fixtures.h"
#include "kdbench/core/errors.h"
#include "kdbench/datasets/dataset.h"

namespace kdbench::datasets::testing {
namespace {

void expect_fixture_images(const ImageSet& set, int64_t first_id) {
  ASSERT_EQ(set.images.sizes(), (std::vector<int64_t>{set.size(), 3, 32, 32}));
  ASSERT_EQ(set.images.scalar_type(), torch::kUInt8);
  const auto img = set.images.accessor<uint8_t, 4>();
  for (int64_t i = 0; i < set.size(); ++i) {
    for (int64_t c = 0; c < 3; ++c) {
      for (int64_t r = 0; r < 32; ++r) {
        for (int64_t col = 0; col < 32; ++col) {
          // Records store 1024 red, then green, then blue pixels, each plane row-major.
          ASSERT_EQ(img[i][c][r][col], fixture_pixel(first_id + i, c * 1024 + r * 32 + col))
              << i << " " << c << " " << r << " " << col;
        }
      }
    }
  }
}

TEST(Cifar, Cifar10RecordsAcrossFilesRoundTrip) {
  TempDir dir;
  write_file(dir.file("a.bin"), cifar_records(3, false, 0));
  write_file(dir.file("b.bin"), cifar_records(2, false, 3));
  const ImageSet set = read_cifar_bin({dir.file("a.bin"), dir.file("b.bin")}, false);
  ASSERT_EQ(set.size(), 5);
  expect_fixture_images(set, 0);
  ASSERT_EQ(set.labels.scalar_type(), torch::kInt64);
  for (int64_t i = 0; i < 5; ++i) EXPECT_EQ(set.labels[i].item<int64_t>(), (i * 7 + 3) % 10);
}

TEST(Cifar, Cifar100UsesFineLabels) {
  TempDir dir;
  write_file(dir.file("train.bin"), cifar_records(4, true, 10), true);  // gzip works too
  const ImageSet set = read_cifar_bin({dir.file("train.bin")}, true);
  ASSERT_EQ(set.size(), 4);
  expect_fixture_images(set, 10);
  for (int64_t i = 0; i < 4; ++i) {
    EXPECT_EQ(set.labels[i].item<int64_t>(), ((10 + i) * 37) % 100);
  }
}

TEST(Cifar, SizeMustBeAWholeNumberOfRecords) {
  TempDir dir;
  Bytes bytes = cifar_records(2, false);
  bytes.resize(bytes.size() + 100, 0);
  write_file(dir.file("data_batch_1.bin"), bytes);
  EXPECT_EQ(
      error_message<DataError>([&] { read_cifar_bin({dir.file("data_batch_1.bin")}, false); }),
      dir.file("data_batch_1.bin") +
          ": bad size: expected a positive multiple of 3073 bytes (CIFAR-10 records), found "
          "6246 bytes (2 records + 100 bytes)");
  write_file(dir.file("empty.bin"), {});
  const auto msg = error_message<DataError>([&] { read_cifar_bin({dir.file("empty.bin")}, true); });
  EXPECT_EQ(
      msg.rfind(dir.file("empty.bin") + ": bad size: expected a positive multiple of 3074", 0), 0u)
      << msg;
}

TEST(Cifar, LabelsOutOfRange) {
  TempDir dir;
  Bytes bytes = cifar_records(3, false);
  bytes[3073] = 10;  // label byte of record 1
  write_file(dir.file("c10.bin"), bytes);
  EXPECT_EQ(error_message<DataError>([&] { read_cifar_bin({dir.file("c10.bin")}, false); }),
            dir.file("c10.bin") + ": label out of range in record 1: expected 0..9, found 10");

  bytes = cifar_records(3, true);
  bytes[2 * 3074 + 1] = 100;  // fine label of record 2
  write_file(dir.file("fine.bin"), bytes);
  EXPECT_EQ(error_message<DataError>([&] { read_cifar_bin({dir.file("fine.bin")}, true); }),
            dir.file("fine.bin") + ": label out of range in record 2: expected 0..99, found 100");

  bytes = cifar_records(3, true);
  bytes[0] = 20;  // coarse label of record 0
  write_file(dir.file("coarse.bin"), bytes);
  EXPECT_EQ(
      error_message<DataError>([&] { read_cifar_bin({dir.file("coarse.bin")}, true); }),
      dir.file("coarse.bin") + ": coarse label out of range in record 0: expected 0..19, found 20");
}

TEST(Cifar, LoadCifar10FromTheArchiveSubdirectory) {
  TempDir dir;
  const auto sub = dir.path() / "cifar-10-batches-bin";
  std::filesystem::create_directories(sub);
  for (int b = 1; b <= 5; ++b) {
    write_file((sub / ("data_batch_" + std::to_string(b) + ".bin")).string(),
               cifar_records(2, false, 2 * (b - 1)));
  }
  write_file((sub / "test_batch.bin").string(), cifar_records(3, false, 100));
  DataConfig cfg;
  cfg.dataset = "cifar10";
  cfg.data_dir = dir.path().string();
  cfg.val_fraction = 0.0;
  check_files(cfg);
  const Splits s = load(cfg);
  EXPECT_EQ(s.train.size(), 10);
  EXPECT_EQ(s.val.size(), 0);
  EXPECT_EQ(s.num_classes, 10);
  EXPECT_EQ(s.shape.channels, 3);
  EXPECT_EQ(s.shape.height, 32);
  EXPECT_EQ(s.shape.width, 32);
  EXPECT_EQ(s.mean.size(), 3u);
  expect_fixture_images(s.train, 0);  // batches in order 1..5
  expect_fixture_images(s.test, 100);

  std::filesystem::remove(sub / "data_batch_3.bin");
  EXPECT_EQ(error_message<DataError>([&] { check_files(cfg); }),
            "cifar10: missing data file " + (sub / "data_batch_3.bin").string() +
                " (data_dir = " + cfg.data_dir + ")");
}

TEST(Cifar, LoadCifar100FromDataDirItself) {
  TempDir dir;
  write_file(dir.file("train.bin"), cifar_records(6, true, 0));
  write_file(dir.file("test.bin"), cifar_records(2, true, 50));
  DataConfig cfg;
  cfg.dataset = "cifar100";
  cfg.data_dir = dir.path().string();
  cfg.val_fraction = 0.5;
  const Splits s = load(cfg);
  EXPECT_EQ(s.num_classes, 100);
  EXPECT_EQ(s.train.size(), 3);
  EXPECT_EQ(s.val.size(), 3);
  expect_fixture_images(s.test, 50);

  std::filesystem::remove(dir.file("test.bin"));
  EXPECT_EQ(
      error_message<DataError>([&] { load(cfg); }),
      "cifar100: missing data file " + dir.file("test.bin") + " (data_dir = " + cfg.data_dir + ")");
}

}  // namespace
}  // namespace kdbench::datasets::testing
