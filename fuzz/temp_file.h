#pragma once
// Fuzz-target helper: the dataset readers take paths (they detect gzip and stream from disk), so
// each input is written to a per-process file under $TMPDIR (or /dev/shm, which is memory) and
// removed again after the run. Exercising the real file path is worth the few microseconds.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace kdbench::fuzz {

inline std::string temp_dir() {
  if (const char* dir = std::getenv("TMPDIR"); dir && *dir) return dir;
  return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

class TempFile {
 public:
  TempFile(const std::string& tag, const uint8_t* data, size_t size)
      : path_(temp_dir() + "/kdbench-fuzz-" + std::to_string(getpid()) + "-" + tag) {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    // Not a finding in the code under test: stop loudly instead of fuzzing nothing.
    if (f == nullptr || (size > 0 && std::fwrite(data, 1, size, f) != size) || std::fclose(f)) {
      std::perror(path_.c_str());
      std::abort();
    }
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace kdbench::fuzz
