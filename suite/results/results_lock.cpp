#include "kdbench/results/results_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <thread>

#include "kdbench/core/errors.h"
#include "kdbench/results/artifacts.h"
#include "kdbench/results/run_record.h"

namespace kdbench::results {
namespace {

// "key=value" lines of a lock file; missing keys read as empty.
std::map<std::string, std::string> read_lock_fields(const std::string& path) {
  std::map<std::string, std::string> fields;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) fields[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return fields;
}

// Gone: no such process, or a zombie (killed, not yet reaped by its parent; kill(pid, 0) still
// succeeds on one). Linux's /proc/PID/stat: "pid (comm) S ...", the state after the last ')'.
bool pid_is_gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return false;
  const char state = text[paren + 2];
  return state == 'Z' || state == 'X';
}

// A job killed with SIGKILL a moment ago may still be exiting when the same command is rerun (a
// killed mpirun's ranks die a little later): give a live holder on this host a few seconds.
bool process_is_gone(const std::string& pid_text) {
  char* end = nullptr;
  const long pid = std::strtol(pid_text.c_str(), &end, 10);
  if (pid_text.empty() || *end != '\0' || pid <= 0) return false;  // unreadable: not provably gone
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pid_is_gone(static_cast<pid_t>(pid))) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

// Writes the content beside the lock and hard-links it into place: link() fails with EEXIST
// atomically (also on NFS), and the lock file is complete from its first moment.
bool try_create_lock(const std::string& lock_path, const std::string& content) {
  const std::string tmp = lock_path + ".new." + std::to_string(::getpid());
  write_bytes(tmp, content);
  const int rc = ::link(tmp.c_str(), lock_path.c_str());
  const int err = errno;
  ::unlink(tmp.c_str());
  if (rc == 0) return true;
  if (err == EEXIST) return false;
  throw IoError(lock_path + ": cannot create the results lock: " + std::strerror(err));
}

}  // namespace

ResultsLock::ResultsLock(const std::string& results_path, const std::string& host)
    : path_(results_path + ".lock") {
  std::ostringstream content;
  content << "host=" << host << "\npid=" << ::getpid() << "\nstarted=" << utc_now() << "\n";
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (try_create_lock(path_, content.str())) return;
    auto holder = read_lock_fields(path_);
    const std::string who = "kdbench pid " + holder["pid"] + " on host " + holder["host"] +
                            " since " + holder["started"];
    if (attempt == 0 && holder["host"] == host && process_is_gone(holder["pid"])) {
      taken_over_ = path_ + ": stale lock of " + who + " (that process is gone); taking it over";
      ::unlink(path_.c_str());
      continue;
    }
    throw ConfigError(results_path + ": in use by " + who + " (lock " + path_ +
                      "); one job writes a results file at a time: wait for it, or use another "
                      "--results; if that job is gone, delete " +
                      path_);
  }
  throw ConfigError(path_ +
                    ": another job took the results lock while this one replaced a stale "
                    "lock; one job writes a results file at a time");
}

ResultsLock::~ResultsLock() { ::unlink(path_.c_str()); }

}  // namespace kdbench::results
