#include "text_files.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "kdbench/core/errors.h"

namespace kdbench::text::text_files {

std::string temporary_name(const std::string& path) {
  return path + ".tmp-" + std::to_string(::getpid());
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw IoError("cannot write " + path + ": " + std::strerror(errno));
}

void write_atomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = temporary_name(path);
  try {
    write_bytes(tmp, bytes);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw;
  }
  std::error_code error;
  std::filesystem::rename(tmp, path, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw IoError("cannot rename " + tmp + " to " + path + ": " + error.message());
  }
}

}  // namespace kdbench::text::text_files
