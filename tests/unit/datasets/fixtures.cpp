#include "fixtures.h"

#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <fstream>
#include <stdexcept>

namespace kdbench::datasets::testing {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          ("kdbench-datasets-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void write_file(const std::string& path, const Bytes& bytes, bool gzip) {
  if (gzip) {
    gzFile gz = gzopen(path.c_str(), "wb");
    if (!gz) throw std::runtime_error("cannot create " + path);
    const int written = bytes.empty() ? 0 : gzwrite(gz, bytes.data(), unsigned(bytes.size()));
    if (gzclose(gz) != Z_OK || written != int(bytes.size())) {
      throw std::runtime_error("cannot write " + path);
    }
    return;
  }
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

void append_be32(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t((v >> shift) & 0xff));
}

Bytes idx_images(uint32_t count, uint32_t rows, uint32_t cols, const Bytes& pixels,
                 uint32_t magic) {
  Bytes out;
  append_be32(out, magic);
  append_be32(out, count);
  append_be32(out, rows);
  append_be32(out, cols);
  out.insert(out.end(), pixels.begin(), pixels.end());
  return out;
}

Bytes idx_labels(const Bytes& labels, uint32_t magic) {
  Bytes out;
  append_be32(out, magic);
  append_be32(out, uint32_t(labels.size()));
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

uint8_t fixture_pixel(int64_t i, int64_t p) {
  if (p == 0) return uint8_t(i % 256);
  if (p == 1) return uint8_t(i / 256);
  return uint8_t((i * 31 + p * 7 + (i * p) % 13) % 251);
}

Bytes fixture_pixels(int64_t count, int64_t pixels_per_image) {
  Bytes out;
  for (int64_t i = 0; i < count; ++i) {
    for (int64_t p = 0; p < pixels_per_image; ++p) out.push_back(fixture_pixel(i, p));
  }
  return out;
}

Bytes fixture_labels(int64_t count, int num_classes) {
  Bytes out;
  for (int64_t i = 0; i < count; ++i) out.push_back(uint8_t((i * 7 + 3) % num_classes));
  return out;
}

int64_t image_id(const uint8_t* image) { return int64_t{image[0]} + 256 * int64_t{image[1]}; }

void write_mnist(const TempDir& dir, int64_t n_train, int64_t n_test, bool gzip, int64_t rows,
                 int64_t cols) {
  const std::string ext = gzip ? ".gz" : "";
  const auto r = uint32_t(rows), c = uint32_t(cols);
  write_file(dir.file("train-images-idx3-ubyte" + ext),
             idx_images(uint32_t(n_train), r, c, fixture_pixels(n_train, rows * cols)), gzip);
  write_file(dir.file("train-labels-idx1-ubyte" + ext), idx_labels(fixture_labels(n_train, 10)),
             gzip);
  write_file(dir.file("t10k-images-idx3-ubyte" + ext),
             idx_images(uint32_t(n_test), r, c, fixture_pixels(n_test, rows * cols)), gzip);
  write_file(dir.file("t10k-labels-idx1-ubyte" + ext), idx_labels(fixture_labels(n_test, 10)),
             gzip);
}

Bytes cifar_records(int64_t count, bool cifar100, int64_t first_id) {
  Bytes out;
  for (int64_t k = 0; k < count; ++k) {
    const int64_t i = first_id + k;
    if (cifar100) {
      out.push_back(uint8_t(i % 20));          // coarse
      out.push_back(uint8_t((i * 37) % 100));  // fine
    } else {
      out.push_back(uint8_t((i * 7 + 3) % 10));
    }
    for (int64_t p = 0; p < 3072; ++p) out.push_back(fixture_pixel(i, p));
  }
  return out;
}

}  // namespace kdbench::datasets::testing
