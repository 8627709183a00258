#pragma once
// Private to kdbench_datasets: a sequential reader over a data file that may be gzip-compressed.
// Compression is detected from the first two bytes (1f 8b), never from the file name, because
// mirrors ship the same files both ways and sometimes rename them.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

struct gzFile_s;  // zlib's handle type; declared here so zlib.h stays out of this header

namespace kdbench::datasets::detail {

class ByteSource {
 public:
  // Throws DataError naming the path if it cannot be opened.
  explicit ByteSource(const std::string& path);
  ~ByteSource();
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  // Reads up to n bytes into dst; returns fewer only at the end of the data. Throws DataError on
  // an I/O error or a corrupt/incomplete gzip stream.
  size_t read(void* dst, size_t n);
  // Reads everything that is left (used for trailing-byte counts and whole-file formats).
  std::vector<uint8_t> read_rest();
  // Counts and discards everything that is left.
  uint64_t skip_rest();

  // An upper bound on the bytes this file can still deliver, known without reading it: lets a
  // reader reject a header that promises more data than the file can hold before allocating.
  uint64_t max_remaining() const;

  const std::string& path() const { return path_; }
  bool gzipped() const { return gz_ != nullptr; }

 private:
  void check_gzip_error();

  std::string path_;
  uint64_t file_bytes_ = 0;  // size on disk (compressed size for gzip)
  std::FILE* raw_ = nullptr;
  gzFile_s* gz_ = nullptr;
};

}  // namespace kdbench::datasets::detail
