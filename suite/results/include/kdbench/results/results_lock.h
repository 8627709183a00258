#pragma once
// One writing job per results file (docs/design.md §3.7): the writer (rank 0) holds
// RESULTS.lock, a small text file (host, pid, start time) created atomically next to the results
// file, for as long as it writes. A second job on the same file refuses to start; readers
// (`kdbench status`, `report`, `plan`) never take it. A lock left by a process killed with
// SIGKILL is stale: on the same host with its pid gone (or a zombie) it is taken over (with a
// warning; a live holder on this host gets 10 s to exit first, as a job killed a moment ago may
// still be dying); from another host it cannot be checked, so the job refuses and says how to
// remove it.
#include <string>

namespace kdbench::results {

class ResultsLock {
 public:
  // Takes `results_path + ".lock"` for this process on `host`. ConfigError (exit 2) naming the
  // holder's host, pid and start time and the lock file to delete when another job holds it.
  ResultsLock(const std::string& results_path, const std::string& host);
  ~ResultsLock();  // removes the lock file (exceptions and stop signals unwind through here)
  ResultsLock(const ResultsLock&) = delete;
  ResultsLock& operator=(const ResultsLock&) = delete;

  const std::string& path() const { return path_; }
  // Non-empty when a stale lock of a dead process was replaced: what it said, for a warning.
  const std::string& taken_over() const { return taken_over_; }

 private:
  std::string path_;
  std::string taken_over_;
};

}  // namespace kdbench::results
