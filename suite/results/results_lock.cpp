#include "kdbench/results/results_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

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

bool process_is_gone(const std::string& pid_text) {
  char* end = nullptr;
  const long pid = std::strtol(pid_text.c_str(), &end, 10);
  if (pid_text.empty() || *end != '\0' || pid <= 0) return false;  // unreadable: not provably gone
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
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
