// Dataset names and files, the deterministic train/val/test split and its statistics.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

#include "fixtures.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"
#include "kdbench/datasets/dataset.h"

namespace kdbench::datasets::testing {
namespace {

std::vector<int64_t> ids(const ImageSet& set) {
  const auto images = set.images.contiguous();
  const int64_t stride = images.numel() / std::max<int64_t>(1, set.size());
  std::vector<int64_t> out;
  for (int64_t i = 0; i < set.size(); ++i)
    out.push_back(image_id(images.data_ptr<uint8_t>() + i * stride));
  return out;
}

DataConfig mnist_config(const TempDir& dir, uint64_t seed = 7) {
  DataConfig cfg;
  cfg.dataset = "mnist";
  cfg.data_dir = dir.path().string();
  cfg.val_fraction = 0.1;
  cfg.split_seed = seed;
  return cfg;
}

TEST(Splits, KnownDatasetsAndUnknownName) {
  const std::vector<std::string> known = known_datasets();
  EXPECT_EQ(std::vector<std::string>(known.begin(), known.begin() + 4),
            (std::vector<std::string>{"fashion-mnist", "mnist", "cifar10", "cifar100"}));
  DataConfig cfg;
  cfg.dataset = "imagenet";
  cfg.data_dir = "/tmp";
  const std::string expected = "dataset: unknown dataset 'imagenet'; known: " + join(known, " ");
  EXPECT_EQ(error_message<ConfigError>([&] { check_files(cfg); }), expected);
  EXPECT_EQ(error_message<ConfigError>([&] { load(cfg); }), expected);
  cfg.dataset = "mnist";
  cfg.data_dir = "";
  EXPECT_NE(error_message<ConfigError>([&] { check_files(cfg); }).find("data_dir"),
            std::string::npos);
}

TEST(Splits, MissingFileIsNamed) {
  TempDir dir;
  write_mnist(dir, 20, 5, true);
  check_files(mnist_config(dir));
  std::filesystem::remove(dir.file("t10k-labels-idx1-ubyte.gz"));
  EXPECT_EQ(error_message<DataError>([&] { check_files(mnist_config(dir)); }),
            "mnist: missing data file " + dir.file("t10k-labels-idx1-ubyte.gz") +
                " (or t10k-labels-idx1-ubyte without .gz) (data_dir = " + dir.path().string() +
                ")");
}

TEST(Splits, DeterministicDisjointAndCompleteForASeed) {
  TempDir gz_dir, raw_dir;
  write_mnist(gz_dir, 200, 30, true);
  write_mnist(raw_dir, 200, 30, false);
  const Splits a = load(mnist_config(gz_dir));
  torch::manual_seed(12345);  // the global torch seed must not matter
  const Splits b = load(mnist_config(raw_dir));
  EXPECT_EQ(a.val.size(), 20);
  EXPECT_EQ(a.train.size(), 180);
  EXPECT_TRUE(torch::equal(a.train.images, b.train.images));
  EXPECT_TRUE(torch::equal(a.val.images, b.val.images));
  EXPECT_TRUE(torch::equal(a.val.labels, b.val.labels));

  const auto train_ids = ids(a.train), val_ids = ids(a.val);
  EXPECT_TRUE(std::is_sorted(train_ids.begin(), train_ids.end()));  // file order kept
  EXPECT_TRUE(std::is_sorted(val_ids.begin(), val_ids.end()));
  std::set<int64_t> all(train_ids.begin(), train_ids.end());
  all.insert(val_ids.begin(), val_ids.end());
  EXPECT_EQ(all.size(), 200u);  // no overlap, nothing lost
  EXPECT_EQ(*all.rbegin(), 199);
  // Labels travel with their images.
  const Bytes labels = fixture_labels(200, 10);
  for (size_t k = 0; k < val_ids.size(); ++k) {
    EXPECT_EQ(a.val.labels[k].item<int64_t>(), labels[val_ids[k]]);
  }
  EXPECT_EQ(a.test.size(), 30);
  EXPECT_EQ(ids(a.test).front(), 0);

  const Splits c = load(mnist_config(gz_dir, 8));
  EXPECT_NE(ids(c.val), val_ids);
}

TEST(Splits, ValFractionZeroKeepsEverythingInOrder) {
  TempDir dir;
  write_mnist(dir, 50, 5, false);
  auto cfg = mnist_config(dir);
  cfg.val_fraction = 0.0;
  const Splits s = load(cfg);
  EXPECT_EQ(s.val.size(), 0);
  std::vector<int64_t> expected(50);
  for (int64_t i = 0; i < 50; ++i) expected[i] = i;
  EXPECT_EQ(ids(s.train), expected);
  EXPECT_EQ(s.shape.channels, 1);
  EXPECT_EQ(s.shape.height, 3);
  EXPECT_EQ(s.shape.width, 4);
  EXPECT_EQ(s.num_classes, 10);
}

TEST(Splits, SubsetsAndTheirLimits) {
  TempDir dir;
  write_mnist(dir, 100, 20, true);
  auto cfg = mnist_config(dir);
  const Splits full = load(cfg);
  cfg.train_subset = 30;
  cfg.test_subset = 5;
  const Splits sub = load(cfg);
  EXPECT_EQ(ids(sub.val), ids(full.val));  // the subset never changes the validation split
  EXPECT_EQ(sub.train.size(), 30);
  const auto full_train = ids(full.train);
  for (int64_t id : ids(sub.train)) {
    EXPECT_TRUE(std::binary_search(full_train.begin(), full_train.end(), id)) << id;
  }
  EXPECT_EQ(ids(sub.test), (std::vector<int64_t>{0, 1, 2, 3, 4}));

  cfg.train_subset = 91;  // only 90 left after a 10% split
  EXPECT_NE(error_message<ConfigError>([&] { load(cfg); }).find("train_subset"), std::string::npos);
  cfg.train_subset = 0;
  cfg.test_subset = 21;
  EXPECT_NE(error_message<ConfigError>([&] { load(cfg); }).find("test_subset"), std::string::npos);
}

TEST(Splits, BadValFraction) {
  TempDir dir;
  write_mnist(dir, 10, 2, false);
  auto cfg = mnist_config(dir);
  for (double bad : {1.0, -0.1, std::numeric_limits<double>::quiet_NaN()}) {
    cfg.val_fraction = bad;
    const auto msg = error_message<ConfigError>([&] { load(cfg); });
    EXPECT_EQ(msg.rfind("val_fraction: expected a value in [0, 1)", 0), 0u) << msg;
  }
  cfg.val_fraction = 0.95;  // 10 images: all of them would be validation
  const auto msg = error_message<ConfigError>([&] { load(cfg); });
  EXPECT_NE(msg.find("leaves none to train on"), std::string::npos) << msg;
}

TEST(Splits, TestImagesMustMatchTrainShape) {
  TempDir dir;
  write_mnist(dir, 10, 2, false);
  write_file(dir.file("t10k-images-idx3-ubyte"), idx_images(2, 4, 4, fixture_pixels(2, 16)));
  const auto msg = error_message<DataError>([&] { load(mnist_config(dir)); });
  EXPECT_EQ(msg.rfind(dir.file("t10k-images-idx3-ubyte") + ": image shape mismatch", 0), 0u) << msg;
}

TEST(Splits, ChannelStatsByHand) {
  // Two 1×2 images, two channels. Channel 0 holds 0, 255, 255, 255: mean 3/4, std sqrt(3/16).
  // Channel 1 holds 51, 51, 102, 102 (0.2 and 0.4 of 255): mean 0.3, std 0.1.
  const auto images =
      torch::tensor({0, 255, 51, 51, 255, 255, 102, 102}, torch::kUInt8).view({2, 2, 1, 2});
  const ChannelStats stats = channel_stats(images);
  ASSERT_EQ(stats.mean.size(), 2u);
  EXPECT_NEAR(stats.mean[0], 0.75, 1e-15);
  EXPECT_NEAR(stats.std[0], std::sqrt(3.0) / 4.0, 1e-15);
  EXPECT_NEAR(stats.mean[1], 0.3, 1e-15);
  EXPECT_NEAR(stats.std[1], 0.1, 1e-15);
}

TEST(Splits, MeanAndStdComeFromTheTrainingSplitOnly) {
  TempDir dir;
  write_mnist(dir, 60, 10, false);
  auto cfg = mnist_config(dir);
  cfg.val_fraction = 0.5;
  const Splits s = load(cfg);
  // Two-pass reference over the fixture pixels of the training ids.
  double sum = 0, sum_all = 0, count = 0;
  for (int64_t id : ids(s.train)) {
    for (int p = 0; p < 12; ++p) sum += fixture_pixel(id, p) / 255.0, ++count;
  }
  for (int64_t id = 0; id < 60; ++id) {
    for (int p = 0; p < 12; ++p) sum_all += fixture_pixel(id, p) / 255.0;
  }
  const double mean = sum / count;
  double sq = 0;
  for (int64_t id : ids(s.train)) {
    for (int p = 0; p < 12; ++p) sq += std::pow(fixture_pixel(id, p) / 255.0 - mean, 2);
  }
  ASSERT_EQ(s.mean.size(), 1u);
  EXPECT_NEAR(s.mean[0], mean, 1e-12);
  EXPECT_NEAR(s.std[0], std::sqrt(sq / count), 1e-12);
  EXPECT_GT(std::abs(s.mean[0] - sum_all / (60 * 12)), 1e-6);  // the val half would change it
}

TEST(Splits, RealFashionMnist) {
  DataConfig cfg;
  cfg.dataset = "fashion-mnist";
  cfg.data_dir = "/usr/share/datasets/fashion-mnist";
  const auto start = std::chrono::steady_clock::now();
  const Splits s = load(cfg);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "fashion-mnist load: " << seconds << " s\n";
  EXPECT_LT(seconds, 2.0);
  EXPECT_EQ(s.train.size(), 54000);
  EXPECT_EQ(s.val.size(), 6000);
  EXPECT_EQ(s.test.size(), 10000);
  EXPECT_EQ(s.train.images.sizes(), (std::vector<int64_t>{54000, 1, 28, 28}));
  EXPECT_EQ(s.test.images.sizes(), (std::vector<int64_t>{10000, 1, 28, 28}));
  const auto train_hist = torch::bincount(torch::cat({s.train.labels, s.val.labels}), {}, 10);
  const auto test_hist = torch::bincount(s.test.labels, {}, 10);
  EXPECT_TRUE(torch::equal(train_hist, torch::full({10}, 6000, torch::kInt64))) << train_hist;
  EXPECT_TRUE(torch::equal(test_hist, torch::full({10}, 1000, torch::kInt64))) << test_hist;
  // Published Fashion-MNIST training statistics: mean 0.2860, std 0.3530 (on all 60000).
  EXPECT_NEAR(s.mean[0], 0.2860, 0.003);
  EXPECT_NEAR(s.std[0], 0.3530, 0.003);
}

}  // namespace
}  // namespace kdbench::datasets::testing
