#include "byte_source.h"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "kdbench/core/errors.h"

namespace kdbench::datasets::detail {

namespace {
// gzread takes an unsigned int length; large reads are split into chunks this big.
constexpr size_t kMaxChunk = size_t{1} << 30;
// A larger zlib input buffer than the 8 KiB default roughly halves the syscalls on 26 MB files.
constexpr unsigned kGzBuffer = 1u << 20;
// Deflate cannot expand data by more than about 1032:1, so a gzip file of c bytes holds at most
// this many times c bytes (plus slack for the header).
constexpr uint64_t kMaxDeflateRatio = 1032;
}  // namespace

ByteSource::ByteSource(const std::string& path) : path_(path) {
  raw_ = std::fopen(path.c_str(), "rb");
  if (!raw_) throw DataError(path + ": cannot open: " + std::strerror(errno));
  struct stat info {};
  if (::fstat(::fileno(raw_), &info) == 0) file_bytes_ = static_cast<uint64_t>(info.st_size);
  unsigned char magic[2] = {0, 0};
  const size_t got = std::fread(magic, 1, 2, raw_);
  if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    std::fclose(raw_);
    raw_ = nullptr;
    gz_ = gzopen(path.c_str(), "rb");
    if (!gz_) throw DataError(path + ": cannot open as gzip: " + std::strerror(errno));
    gzbuffer(gz_, kGzBuffer);
  } else {
    std::rewind(raw_);
  }
}

ByteSource::~ByteSource() {
  if (raw_) std::fclose(raw_);
  if (gz_) gzclose_r(gz_);
}

uint64_t ByteSource::max_remaining() const {
  return gz_ ? file_bytes_ * kMaxDeflateRatio + 1024 : file_bytes_;
}

void ByteSource::check_gzip_error() {
  int code = Z_OK;
  const char* message = gzerror(gz_, &code);
  // Z_BUF_ERROR here means the compressed stream ended early: the .gz file itself is cut off.
  if (code != Z_OK) {
    throw DataError(path_ + ": corrupt or incomplete gzip data: " +
                    (message && *message ? message : "zlib error " + std::to_string(code)));
  }
}

size_t ByteSource::read(void* dst, size_t n) {
  auto* out = static_cast<unsigned char*>(dst);
  size_t total = 0;
  while (total < n) {
    const size_t want = std::min(n - total, kMaxChunk);
    size_t got = 0;
    if (gz_) {
      const int r = gzread(gz_, out + total, static_cast<unsigned>(want));
      if (r < 0) check_gzip_error();
      got = r > 0 ? static_cast<size_t>(r) : 0;
    } else {
      got = std::fread(out + total, 1, want, raw_);
      if (got < want && std::ferror(raw_)) {
        throw DataError(path_ + ": read error: " + std::strerror(errno));
      }
    }
    total += got;
    if (got < want) {
      if (gz_) check_gzip_error();
      break;
    }
  }
  return total;
}

std::vector<uint8_t> ByteSource::read_rest() {
  std::vector<uint8_t> data;
  size_t filled = 0;
  size_t step = size_t{1} << 20;
  for (;;) {
    data.resize(filled + step);
    const size_t got = read(data.data() + filled, step);
    filled += got;
    if (got < step) break;
    step = std::min(step * 2, kMaxChunk);
  }
  data.resize(filled);
  return data;
}

uint64_t ByteSource::skip_rest() {
  std::vector<uint8_t> scratch(1 << 16);
  uint64_t skipped = 0;
  for (;;) {
    const size_t got = read(scratch.data(), scratch.size());
    skipped += got;
    if (got < scratch.size()) return skipped;
  }
}

}  // namespace kdbench::datasets::detail
