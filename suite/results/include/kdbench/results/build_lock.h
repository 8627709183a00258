#pragma once
// Lets the ranks that share an artifacts directory build a derived file once (the teacher-logit
// cache): the first rank that needs the file takes the lock and builds it, the others block on the
// lock and then read what it wrote instead of computing the same thing. With 64 ranks starting the
// students of one teacher at once this is one teacher pass instead of 64.
//
// An advisory flock(2) on "<file>.lock" beside the file: the kernel drops it when its holder
// exits or is killed, so a crash leaves no stale lock. The holder removes the lock file when it is
// done, so no lock files pile up; a rank still waiting on the removed file's lock then takes it
// while a newcomer locks a fresh file, which is harmless because every holder checks for the built
// file first (the lock saves work, it does not guard correctness). On a file system without flock
// (Lustre mounted without -o flock, some FUSE mounts) the lock is not held and every rank builds
// its own copy, as without it; the atomic rename of the file still makes any one copy whole.
#include <string>

namespace kdbench::results {

class BuildLock {
 public:
  // Blocks until the lock on `file` + ".lock" is held or known to be unavailable; creates the
  // directory on demand. Never throws for a lock that cannot be taken: held() says.
  explicit BuildLock(const std::string& file);
  ~BuildLock();
  BuildLock(const BuildLock&) = delete;
  BuildLock& operator=(const BuildLock&) = delete;
  bool held() const { return fd_ >= 0; }
  // Why the lock is not held ("" when it is).
  const std::string& why_not() const { return why_not_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::string why_not_;
};

}  // namespace kdbench::results
