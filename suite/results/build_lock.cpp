#include "kdbench/results/build_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace kdbench::results {

BuildLock::BuildLock(const std::string& file) : path_(file + ".lock") {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
  const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    why_not_ = path_ + ": " + std::strerror(errno);
    return;
  }
  int rc = 0;
  do {
    rc = ::flock(fd, LOCK_EX);
  } while (rc != 0 && errno == EINTR);  // a signal (the stop request) while waiting: wait on
  if (rc != 0) {
    why_not_ = path_ + ": flock: " + std::strerror(errno);
    ::close(fd);
    return;
  }
  fd_ = fd;
}

BuildLock::~BuildLock() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // while still held: no one can have locked this file after us
  ::close(fd_);             // closing the last descriptor releases the flock
}

}  // namespace kdbench::results
