// IDX reader for MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/ format): a big-endian
// magic number 0x000008NN (unsigned bytes, NN dimensions), NN big-endian uint32 sizes, then data.
#include <cstdio>
#include <string>

#include "byte_source.h"
#include "kdbench/core/errors.h"
#include "kdbench/datasets/dataset.h"

namespace kdbench::datasets {

namespace {

using detail::ByteSource;

constexpr uint32_t kImagesMagic = 0x00000803;  // unsigned byte, 3 dimensions (count, rows, cols)
constexpr uint32_t kLabelsMagic = 0x00000801;  // unsigned byte, 1 dimension (count)
constexpr uint32_t kMaxSide = 1u << 15;        // far above any IDX image; guards size overflow
constexpr uint32_t kMaxCount = 1u << 30;
constexpr int kNumClasses = 10;

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

uint32_t big_endian_u32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Reads the magic number and `ndims` sizes; returns the sizes.
std::vector<uint32_t> read_header(ByteSource& src, uint32_t magic, int ndims, const char* kind) {
  const size_t header_bytes = 4 + 4 * static_cast<size_t>(ndims);
  uint8_t header[16] = {};
  const size_t got = src.read(header, header_bytes);
  if (got < 4) {
    throw DataError(src.path() + ": truncated: expected an IDX header of " +
                    std::to_string(header_bytes) + " bytes, found " + std::to_string(got));
  }
  const uint32_t found = big_endian_u32(header);
  if (found != magic) {
    throw DataError(src.path() + ": bad magic number: expected " + hex32(magic) + " (IDX " + kind +
                    ", unsigned bytes, " + std::to_string(ndims) + " dimensions), found " +
                    hex32(found));
  }
  if (got < header_bytes) {
    throw DataError(src.path() + ": truncated: expected an IDX header of " +
                    std::to_string(header_bytes) + " bytes, found " + std::to_string(got));
  }
  std::vector<uint32_t> dims;
  for (int d = 0; d < ndims; ++d) dims.push_back(big_endian_u32(header + 4 + 4 * d));
  return dims;
}

// Called before allocating: a corrupt header may promise far more data than the file can hold.
void require_possible(ByteSource& src, uint64_t payload, uint64_t header_bytes) {
  if (payload > src.max_remaining()) {
    throw DataError(src.path() + ": truncated: expected " + std::to_string(header_bytes + payload) +
                    " bytes of data, found " + std::to_string(header_bytes + src.skip_rest()));
  }
}

// Fills dst with exactly `payload` bytes and requires the data to end right there.
void read_payload(ByteSource& src, uint8_t* dst, uint64_t payload, uint64_t header_bytes) {
  const uint64_t expected = header_bytes + payload;
  const uint64_t got = src.read(dst, payload);
  if (got < payload) {
    throw DataError(src.path() + ": truncated: expected " + std::to_string(expected) +
                    " bytes of data, found " + std::to_string(header_bytes + got));
  }
  const uint64_t trailing = src.skip_rest();
  if (trailing > 0) {
    throw DataError(src.path() + ": trailing bytes: expected " + std::to_string(expected) +
                    " bytes of data, found " + std::to_string(expected + trailing));
  }
}

torch::Tensor read_images(const std::string& path) {
  ByteSource src(path);
  const auto dims = read_header(src, kImagesMagic, 3, "images");
  const uint32_t count = dims[0], rows = dims[1], cols = dims[2];
  if (count < 1 || count > kMaxCount || rows < 1 || rows > kMaxSide || cols < 1 ||
      cols > kMaxSide) {
    throw DataError(path + ": bad dimensions: expected 1.." + std::to_string(kMaxCount) +
                    " images of 1.." + std::to_string(kMaxSide) + " x 1.." +
                    std::to_string(kMaxSide) + " pixels, found " + std::to_string(count) + " x " +
                    std::to_string(rows) + " x " + std::to_string(cols));
  }
  const uint64_t payload = uint64_t{count} * rows * cols;
  require_possible(src, payload, 16);
  auto images = torch::empty({count, 1, rows, cols}, torch::kUInt8);
  read_payload(src, images.data_ptr<uint8_t>(), payload, 16);
  return images;
}

torch::Tensor read_labels(const std::string& path) {
  ByteSource src(path);
  const uint32_t count = read_header(src, kLabelsMagic, 1, "labels")[0];
  if (count < 1 || count > kMaxCount) {
    throw DataError(path + ": bad dimensions: expected 1.." + std::to_string(kMaxCount) +
                    " labels, found " + std::to_string(count));
  }
  require_possible(src, count, 8);
  auto labels = torch::empty({count}, torch::kUInt8);
  const uint8_t* data = labels.data_ptr<uint8_t>();
  read_payload(src, labels.data_ptr<uint8_t>(), count, 8);
  for (uint32_t i = 0; i < count; ++i) {
    if (data[i] >= kNumClasses) {
      throw DataError(path + ": label out of range at index " + std::to_string(i) +
                      ": expected 0.." + std::to_string(kNumClasses - 1) + ", found " +
                      std::to_string(int{data[i]}));
    }
  }
  return labels.to(torch::kInt64);
}

}  // namespace

ImageSet read_idx(const std::string& images_path, const std::string& labels_path) {
  ImageSet set;
  set.images = read_images(images_path);
  set.labels = read_labels(labels_path);
  if (set.images.size(0) != set.labels.size(0)) {
    throw DataError(labels_path + ": count mismatch: expected " +
                    std::to_string(set.images.size(0)) + " labels (one per image in " +
                    images_path + "), found " + std::to_string(set.labels.size(0)));
  }
  return set;
}

}  // namespace kdbench::datasets
