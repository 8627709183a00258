#include "kdbench/results/artifacts.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "kdbench/core/errors.h"
#include "kdbench/core/hash.h"
#include "kdbench/core/test_pause.h"

namespace fs = std::filesystem;

namespace kdbench::results {
namespace {

// Unique per process (pid) and per call (random + counter), so concurrent writers of the same
// file, on this host or another one sharing the directory, never collide.
std::string tmp_suffix() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = std::random_device{}() * 0x9E3779B97F4A7C15ULL;
  std::ostringstream s;
  const uint64_t unique = salt ^ ((counter.fetch_add(1) + 1) * 0xBF58476D1CE4E5B9ULL);
  s << ".tmp." << ::getpid() << "." << std::hex << unique;
  return s.str();
}

void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) throw IoError(path + ": cannot open for fsync: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw IoError(path + ": fsync failed: " + std::strerror(err));
}

void check_component(const std::string& what, const std::string& s) {
  if (s.empty() || s == "." || s == ".." || s.find('/') != std::string::npos) {
    throw IoError("artifact " + what + " '" + s +
                  "' is invalid (must be non-empty, without '/', not '.' or '..')");
  }
}

constexpr const char kSealTag[] = "KDBSUM1:";
constexpr size_t kSealTagSize = sizeof kSealTag - 1;
constexpr size_t kSealSize = kSealTagSize + 24;

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw IoError(path + ": read failed");
  return content.str();
}

}  // namespace

void seal_file(const std::string& path) {
  const std::string body = read_whole_file(path);
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << kSealTag << content_key(body);
  out.close();
  if (!out) throw IoError(path + ": cannot append its checksum");
}

std::string read_sealed(const std::string& path) {
  std::string content = read_whole_file(path);
  if (content.size() < kSealSize ||
      content.compare(content.size() - kSealSize, kSealTagSize, kSealTag) != 0)
    throw CorruptFile(path +
                      ": no kdbench checksum at its end (truncated, or written before "
                      "checkpoints carried one)");
  const std::string stored = content.substr(content.size() - 24);
  content.resize(content.size() - kSealSize);
  if (content_key(content) != stored)
    throw CorruptFile(path + ": checksum mismatch (the file is corrupt)");
  return content;
}

bool sealed_file_intact(const std::string& path, std::string* why) {
  try {
    if (!fs::is_regular_file(path)) throw IoError(path + ": not found");
    read_sealed(path);
    return true;
  } catch (const IoError& e) {
    if (why) *why = e.what();
    return false;
  }
}

void write_file_atomic(const std::string& final_path,
                       const std::function<void(const std::string& tmp_path)>& write, bool fsync) {
  const fs::path target(final_path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw IoError(dir.string() + ": cannot create directory: " + ec.message());
  const std::string tmp = final_path + tmp_suffix();
  try {
    write(tmp);
    if (!fs::is_regular_file(tmp)) {
      throw IoError(final_path + ": the writer produced no file at " + tmp);
    }
    if (fsync) fsync_path(tmp, O_RDONLY);
    test_pause_point("checkpoint-write");  // the complete temporary, not yet renamed
    fs::rename(tmp, target, ec);
    if (ec) throw IoError(final_path + ": cannot rename " + tmp + " into place: " + ec.message());
  } catch (...) {
    fs::remove(tmp, ec);  // best effort; the original error is the one worth reporting
    throw;
  }
  // The rename is durable only once the directory entry is on disk.
  if (fsync) fsync_path(dir.string(), O_RDONLY | O_DIRECTORY);
}

void write_bytes(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError(path + ": cannot create: " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      throw IoError(path + ": write failed: " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  // close() reports deferred write errors (NFS, quota) that write() did not.
  if (::close(fd) != 0) throw IoError(path + ": write failed: " + std::strerror(errno));
}

void write_text_atomic(const std::string& final_path, const std::string& content, bool fsync) {
  write_file_atomic(
      final_path, [&](const std::string& tmp) { write_bytes(tmp, content); }, fsync);
}

Artifacts::Artifacts(std::string root, bool fsync) : root_(std::move(root)), fsync_(fsync) {}

std::string Artifacts::dir_for(const std::string& key) const {
  check_component("key", key);
  return (fs::path(root_) / key).string();
}

std::string Artifacts::path_for(const std::string& key, const std::string& name) const {
  check_component("name", name);
  return (fs::path(dir_for(key)) / name).string();
}

bool Artifacts::exists(const std::string& key, const std::string& name) const {
  std::error_code ec;
  return fs::is_regular_file(path_for(key, name), ec);
}

void Artifacts::write_atomic(const std::string& key, const std::string& name,
                             const std::function<void(const std::string& tmp_path)>& write) const {
  write_file_atomic(path_for(key, name), write, fsync_);
}

void Artifacts::write_sealed(const std::string& key, const std::string& name,
                             const std::function<void(const std::string& tmp_path)>& write) const {
  write_atomic(key, name, [&](const std::string& tmp) {
    write(tmp);
    seal_file(tmp);
  });
}

void Artifacts::remove(const std::string& key, const std::string& name) const {
  const std::string path = path_for(key, name);
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) throw IoError(path + ": cannot remove: " + ec.message());
}

std::string checkpoint_name(int epoch) {
  return epoch < 0 ? std::string("final.pt") : "epoch-" + std::to_string(epoch) + ".pt";
}

}  // namespace kdbench::results
