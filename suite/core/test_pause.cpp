#include "kdbench/core/test_pause.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <set>
#include <sstream>
#include <string>

namespace kdbench {
namespace {

std::set<std::string> points_from_env() {
  std::set<std::string> points;
  const char* env = std::getenv("KDBENCH_TEST_PAUSE_AT");
  std::istringstream in(env ? env : "");
  std::string p;
  while (std::getline(in, p, ','))
    if (!p.empty()) points.insert(p);
  return points;
}

}  // namespace

void test_pause_point(const char* point) {
  static std::mutex mutex;
  static std::set<std::string> armed = points_from_env();  // each pauses once per process
  std::unique_lock lock(mutex);
  if (armed.empty() || !armed.erase(point)) return;
  lock.unlock();
  const char* s = std::getenv("KDBENCH_TEST_PAUSE_SECONDS");
  const double seconds = s ? std::atof(s) : 10.0;
  std::fprintf(stderr, "kdbench test pause: %s pid %d\n", point, static_cast<int>(::getpid()));
  std::fflush(stderr);
  // nanosleep returns early on a signal: SIGTERM's handler only sets the stop flag, and the
  // process goes on from here as it would have without the pause.
  timespec t{static_cast<time_t>(seconds),
             static_cast<long>((seconds - static_cast<long>(seconds)) * 1e9)};
  ::nanosleep(&t, nullptr);
}

}  // namespace kdbench
