// CIFAR-10/100 binary reader (https://www.cs.toronto.edu/~kriz/cifar.html): fixed-size records of
// label byte(s) followed by 3072 pixels stored channel-major (1024 red, 1024 green, 1024 blue),
// which is already the C×H×W layout the models expect.
#include <string>

#include "byte_source.h"
#include "kdbench/core/errors.h"
#include "kdbench/datasets/dataset.h"

namespace kdbench::datasets {

namespace {

constexpr int64_t kPixels = 3 * 32 * 32;

struct Format {
  const char* name;
  int64_t label_bytes;  // cifar10: [label]; cifar100: [coarse][fine]
  int64_t label_col;    // the byte used as the class label
  int num_classes;
  int num_coarse;  // cifar100 only: the coarse label is validated but not used
};

constexpr Format kCifar10{"CIFAR-10", 1, 0, 10, 0};
constexpr Format kCifar100{"CIFAR-100", 2, 1, 100, 20};

void check_labels(const std::string& path, const uint8_t* records, int64_t n, int64_t record_size,
                  const Format& fmt) {
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* record = records + i * record_size;
    const int label = record[fmt.label_col];
    if (label >= fmt.num_classes) {
      throw DataError(path + ": label out of range in record " + std::to_string(i) +
                      ": expected 0.." + std::to_string(fmt.num_classes - 1) + ", found " +
                      std::to_string(label));
    }
    if (fmt.num_coarse > 0 && record[0] >= fmt.num_coarse) {
      throw DataError(path + ": coarse label out of range in record " + std::to_string(i) +
                      ": expected 0.." + std::to_string(fmt.num_coarse - 1) + ", found " +
                      std::to_string(int{record[0]}));
    }
  }
}

}  // namespace

ImageSet read_cifar_bin(const std::vector<std::string>& files, bool cifar100) {
  const Format& fmt = cifar100 ? kCifar100 : kCifar10;
  const int64_t record_size = fmt.label_bytes + kPixels;
  if (files.empty()) throw DataError(std::string(fmt.name) + ": no data files given");

  // Keep every file's bytes until the total is known, so the pixels are copied only once.
  std::vector<std::vector<uint8_t>> contents;
  int64_t total = 0;
  for (const auto& path : files) {
    detail::ByteSource src(path);
    contents.push_back(src.read_rest());
    const auto size = static_cast<int64_t>(contents.back().size());
    if (size == 0 || size % record_size != 0) {
      throw DataError(path + ": bad size: expected a positive multiple of " +
                      std::to_string(record_size) + " bytes (" + fmt.name + " records), found " +
                      std::to_string(size) + " bytes (" + std::to_string(size / record_size) +
                      " records + " + std::to_string(size % record_size) + " bytes)");
    }
    check_labels(path, contents.back().data(), size / record_size, record_size, fmt);
    total += size / record_size;
  }

  ImageSet set;
  set.images = torch::empty({total, 3, 32, 32}, torch::kUInt8);
  set.labels = torch::empty({total}, torch::kInt64);
  int64_t offset = 0;
  for (auto& bytes : contents) {
    const auto n = static_cast<int64_t>(bytes.size()) / record_size;
    auto records = torch::from_blob(bytes.data(), {n, record_size}, torch::kUInt8);
    set.images.narrow(0, offset, n).view({n, kPixels}).copy_(records.slice(1, fmt.label_bytes));
    set.labels.narrow(0, offset, n).copy_(records.select(1, fmt.label_col));
    offset += n;
    bytes = {};  // release as we go: CIFAR train is 150 MB
  }
  return set;
}

}  // namespace kdbench::datasets
