// Dataset layouts on disk, file checks, and the deterministic train/val/test split
// (docs/design.md §4).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <future>
#include <random>

#include "kdbench/core/errors.h"
#include "kdbench/datasets/dataset.h"
#include "kdbench/datasets/dataset_info.h"
#include "kdbench/datasets/text_data.h"
#include "split_permutation.h"

namespace kdbench::datasets {

namespace {

namespace fs = std::filesystem;

struct Layout {
  const DatasetInfo* info = nullptr;
  std::vector<std::string> train, test;  // resolved paths; for IDX: {images, labels}
};

DataError missing(const DataConfig& cfg, const fs::path& file, const std::string& note = "") {
  return DataError(cfg.dataset + ": missing data file " + file.string() + note +
                   " (data_dir = " + cfg.data_dir + ")");
}

// MNIST mirrors ship the IDX files gzipped or not; the raw file wins when both exist (faster).
std::string idx_file(const DataConfig& cfg, const std::string& base) {
  const fs::path raw = fs::path(cfg.data_dir) / base;
  const fs::path gz = fs::path(cfg.data_dir) / (base + ".gz");
  if (fs::is_regular_file(raw)) return raw.string();
  if (fs::is_regular_file(gz)) return gz.string();
  throw missing(cfg, gz, " (or " + base + " without .gz)");
}

// CIFAR archives unpack into a sub-directory; accept data_dir pointing at either level. Returns
// the training files, then the test files.
std::vector<std::string> cifar_files(const DataConfig& cfg, const DatasetInfo& info) {
  std::vector<std::string> names = info.train_files;
  names.insert(names.end(), info.test_files.begin(), info.test_files.end());
  fs::path dir = cfg.data_dir;
  if (!fs::is_regular_file(dir / names.front()) && fs::is_directory(dir / info.archive_dir)) {
    dir /= info.archive_dir;
  }
  std::vector<std::string> paths;
  for (const auto& name : names) {
    if (!fs::is_regular_file(dir / name)) throw missing(cfg, dir / name);
    paths.push_back((dir / name).string());
  }
  return paths;
}

Layout resolve_layout(const DataConfig& cfg) {
  Layout layout;
  layout.info = &info(cfg.dataset);  // ConfigError naming the known datasets
  if (cfg.data_dir.empty()) {
    throw ConfigError("data_dir: empty; expected the directory holding the " + cfg.dataset +
                      " files");
  }
  if (layout.info->format == FileFormat::kIdx) {
    for (const auto& name : layout.info->train_files) layout.train.push_back(idx_file(cfg, name));
    for (const auto& name : layout.info->test_files) layout.test.push_back(idx_file(cfg, name));
  } else {
    const auto files = cifar_files(cfg, *layout.info);
    const auto n_train = static_cast<std::ptrdiff_t>(layout.info->train_files.size());
    layout.train.assign(files.begin(), files.begin() + n_train);
    layout.test.assign(files.begin() + n_train, files.end());
  }
  return layout;
}

void validate(const DataConfig& cfg) {
  if (!(cfg.val_fraction >= 0.0 && cfg.val_fraction < 1.0)) {
    throw ConfigError("val_fraction: expected a value in [0, 1), found " +
                      std::to_string(cfg.val_fraction));
  }
  if (cfg.train_subset < 0) {
    throw ConfigError("train_subset: expected >= 0, found " + std::to_string(cfg.train_subset));
  }
  if (cfg.test_subset < 0) {
    throw ConfigError("test_subset: expected >= 0, found " + std::to_string(cfg.test_subset));
  }
}

// Uniform integer in [0, bound) by rejection, so the split does not depend on how a standard
// library implements std::uniform_int_distribution: the same seed gives the same split anywhere.
uint64_t uniform_below(std::mt19937_64& rng, uint64_t bound) {
  const uint64_t reject_below = (0 - bound) % bound;  // 2^64 mod bound
  for (;;) {
    const uint64_t r = rng();
    if (r >= reject_below) return r % bound;
  }
}

std::vector<int64_t> permutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> order(n);
  for (int64_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(seed);
  for (int64_t i = n - 1; i > 0; --i) {
    std::swap(order[i], order[uniform_below(rng, static_cast<uint64_t>(i) + 1)]);
  }
  return order;
}

// Row copies are done by hand: torch's index_select dispatches one copy per slice along dim 0,
// which made the 54000-image Fashion-MNIST split cost ~0.2 s.
size_t row_bytes(const torch::Tensor& t) {
  return t.numel() / std::max<int64_t>(1, t.size(0)) * t.element_size();
}

// Rows `rows` (ascending) of a contiguous tensor, copied into a new one.
torch::Tensor copy_rows(const torch::Tensor& t, const std::vector<int64_t>& rows) {
  auto sizes = t.sizes().vec();
  sizes[0] = static_cast<int64_t>(rows.size());
  auto out = torch::empty(sizes, t.options());
  const size_t bytes = row_bytes(t);
  const auto* from = static_cast<const char*>(t.data_ptr());
  auto* to = static_cast<char*>(out.data_ptr());
  for (size_t k = 0; k < rows.size(); ++k)
    std::memcpy(to + k * bytes, from + rows[k] * bytes, bytes);
  return out;
}

// Moves rows `rows` (ascending) to the front of a contiguous tensor in place and returns that
// front as a view. Safe because rows[k] >= k, so a row is read before anything overwrites it; it
// saves allocating and page-faulting a second 47 MB buffer for the training split.
torch::Tensor compact_rows(torch::Tensor& t, const std::vector<int64_t>& rows) {
  const size_t bytes = row_bytes(t);
  auto* data = static_cast<char*>(t.data_ptr());
  for (size_t k = 0; k < rows.size(); ++k) {
    if (rows[k] != static_cast<int64_t>(k)) {
      std::memmove(data + k * bytes, data + rows[k] * bytes, bytes);
    }
  }
  return t.narrow(0, 0, static_cast<int64_t>(rows.size()));
}

ImageSet read(const Layout& layout, const std::vector<std::string>& files) {
  if (layout.info->format == FileFormat::kIdx) return read_idx(files[0], files[1]);
  return read_cifar_bin(files, layout.info->format == FileFormat::kCifar100Binary);
}

}  // namespace

std::vector<int64_t> split_permutation(int64_t n, uint64_t seed) { return permutation(n, seed); }

void check_files(const DataConfig& cfg) {
  if (info(cfg.dataset).is_text()) return check_text_files(cfg);
  resolve_layout(cfg);
}

Splits load(const DataConfig& cfg) {
  if (info(cfg.dataset).is_text())
    throw ConfigError("dataset " + cfg.dataset + " is text: read it with load_text()");
  validate(cfg);
  const Layout layout = resolve_layout(cfg);
  // The test files decompress on a second thread while the (larger) training files do.
  auto pending_test = std::async(std::launch::async, [&] { return read(layout, layout.test); });
  ImageSet all = read(layout, layout.train);
  const ImageSet test = pending_test.get();
  if (test.images.sizes().slice(1) != all.images.sizes().slice(1)) {
    throw DataError(layout.test[0] + ": image shape mismatch: expected " +
                    c10::str(all.images.sizes().slice(1)) + " as in " + layout.train[0] +
                    ", found " + c10::str(test.images.sizes().slice(1)));
  }

  const int64_t n = all.size();
  const auto n_val = static_cast<int64_t>(std::llround(cfg.val_fraction * static_cast<double>(n)));
  if (n_val >= n) {
    throw ConfigError("val_fraction: " + std::to_string(cfg.val_fraction) + " of " +
                      std::to_string(n) + " training images leaves none to train on");
  }
  const auto order = permutation(n, cfg.split_seed);
  std::vector<int64_t> val_rows(order.begin(), order.begin() + n_val);
  std::vector<int64_t> train_rows(order.begin() + n_val, order.end());
  if (cfg.train_subset > 0) {
    if (cfg.train_subset > static_cast<int64_t>(train_rows.size())) {
      throw ConfigError("train_subset: expected at most the " + std::to_string(train_rows.size()) +
                        " training images left after the validation split, found " +
                        std::to_string(cfg.train_subset));
    }
    train_rows.resize(cfg.train_subset);
  }
  if (cfg.test_subset > test.size()) {
    throw ConfigError("test_subset: expected at most the " + std::to_string(test.size()) +
                      " test images, found " + std::to_string(cfg.test_subset));
  }

  // Both lists in file order; val is copied out before train is compacted over it.
  std::sort(val_rows.begin(), val_rows.end());
  std::sort(train_rows.begin(), train_rows.end());
  Splits splits;
  splits.val = {copy_rows(all.images, val_rows), copy_rows(all.labels, val_rows)};
  splits.train = {compact_rows(all.images, train_rows), compact_rows(all.labels, train_rows)};
  if (cfg.train_subset > 0) {  // let the rest of the file go
    splits.train = {splits.train.images.clone(), splits.train.labels.clone()};
  }
  splits.test = cfg.test_subset > 0 ? ImageSet{test.images.narrow(0, 0, cfg.test_subset).clone(),
                                               test.labels.narrow(0, 0, cfg.test_subset).clone()}
                                    : test;
  splits.num_classes = layout.info->num_classes;
  splits.shape = {all.images.size(1), all.images.size(2), all.images.size(3)};
  const ChannelStats stats = channel_stats(splits.train.images);
  for (size_t c = 0; c < stats.std.size(); ++c) {
    if (stats.std[c] <= 0.0) {
      throw DataError(layout.train[0] + ": channel " + std::to_string(c) +
                      " of the training images is constant; cannot normalize");
    }
  }
  splits.mean = stats.mean;
  splits.std = stats.std;
  return splits;
}

}  // namespace kdbench::datasets
