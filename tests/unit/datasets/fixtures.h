#pragma once
// Test fixtures: tiny IDX and CIFAR files written byte by byte in the real formats (raw or gzip)
// into a private temporary directory.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace kdbench::datasets::testing {

using Bytes = std::vector<uint8_t>;

// A fresh directory removed (with its contents) when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Writes bytes as they are, or as a gzip stream (zlib) when gzip is true.
void write_file(const std::string& path, const Bytes& bytes, bool gzip = false);

void append_be32(Bytes& out, uint32_t v);
// IDX files: magic, sizes, data. The magic is a parameter so tests can write wrong ones.
Bytes idx_images(uint32_t count, uint32_t rows, uint32_t cols, const Bytes& pixels,
                 uint32_t magic = 0x00000803);
Bytes idx_labels(const Bytes& labels, uint32_t magic = 0x00000801);

// Pixel p of image i in the fixtures: the first two pixels spell out i, so an image can be traced
// back to its row in the file after splitting; the rest vary so statistics are non-trivial.
uint8_t fixture_pixel(int64_t i, int64_t p);
Bytes fixture_pixels(int64_t count, int64_t pixels_per_image);
Bytes fixture_labels(int64_t count, int num_classes);
int64_t image_id(const uint8_t* image);  // inverse of the first two fixture pixels

// The four MNIST-named IDX files (H×W images) with fixture contents.
void write_mnist(const TempDir& dir, int64_t n_train, int64_t n_test, bool gzip, int64_t rows = 3,
                 int64_t cols = 4);

// CIFAR records: cifar10 [label][3072], cifar100 [coarse][fine][3072].
Bytes cifar_records(int64_t count, bool cifar100, int64_t first_id = 0);

// Runs fn, which must throw Error; returns its message (and fails the test if nothing is thrown;
// another exception type escapes and fails the test too).
template <typename Error, typename Fn>
std::string error_message(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no exception thrown";
  return "";
}

}  // namespace kdbench::datasets::testing
