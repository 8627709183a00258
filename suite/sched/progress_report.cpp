#include "kdbench/sched/progress_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace kdbench::sched {
namespace {

std::string age_text(double seconds) {
  char buf[48];
  if (seconds < 120)
    std::snprintf(buf, sizeof buf, "%.0f s", std::max(0.0, seconds));
  else if (seconds < 2 * 3600)
    std::snprintf(buf, sizeof buf, "%.0f min", seconds / 60);
  else
    std::snprintf(buf, sizeof buf, "%.1f h", seconds / 3600);
  return buf;
}

}  // namespace

std::string clock_text(double s) {
  const long t = std::lround(std::max(0.0, s));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  return buf;
}

double stale_after_seconds(const nlohmann::json& p) {
  return std::max(60.0, 12 * p.value("write_interval_seconds", 5.0));
}

std::vector<std::string> describe_progress(const nlohmann::json& p, double now_unix) {
  std::vector<std::string> lines;
  const double age = now_unix - p.value("unix_time", 0.0);
  const std::string state = p.value("state", "running");
  const std::string counts =
      std::to_string(p.value("done", 0)) + "/" + std::to_string(p.value("tasks", 0)) + " done, " +
      std::to_string(p.value("failed", 0)) + " failed, " + std::to_string(p.value("running", 0)) +
      " running, " + std::to_string(p.value("pending", 0)) + " pending";
  if (state != "running") {
    lines.push_back("job " + state + " (progress file " + age_text(age) + " old, written " +
                    p.value("time", "?") + "): " + counts + ", wall " +
                    clock_text(p.value("elapsed_seconds", 0.0)));
    return lines;
  }
  if (age > stale_after_seconds(p)) {
    lines.push_back("job not running (progress file " + age_text(age) + " old, written " +
                    p.value("time", "?") + "; killed?): when it was written: " + counts);
    return lines;
  }
  lines.push_back("job running on " + std::to_string(p.value("ranks", 0)) + " rank(s) (progress " +
                  age_text(age) + " old): " + counts + ", elapsed " +
                  clock_text(p.value("elapsed_seconds", 0.0)) + ", ETA " +
                  clock_text(p.value("eta_seconds", 0.0) - age));
  for (const auto& r : p.value("running_tasks", nlohmann::json::array())) {
    std::string ranks;
    for (const auto& k : r.value("ranks", nlohmann::json::array()))
      ranks += (ranks.empty() ? "" : ",") + std::to_string(k.get<int>());
    lines.push_back("  running " + r.value("label", "?") + " on rank " + ranks + ": " +
                    clock_text(r.value("elapsed_seconds", 0.0) + age) + " of ~" +
                    clock_text(r.value("estimate_seconds", 0.0)) + " (" + r.value("key", "?") +
                    ")");
  }
  for (const auto& s : p.value("stalls", nlohmann::json::array()))
    lines.push_back("  STALLED? " + s.value("label", "?") + ": " +
                    clock_text(s.value("elapsed_seconds", 0.0)) + ", estimate " +
                    clock_text(s.value("estimate_seconds", 0.0)));
  for (const auto& s : p.value("silent_ranks", nlohmann::json::array()))
    lines.push_back("  SILENT rank " + std::to_string(s.value("rank", -1)) + " for " +
                    clock_text(s.value("silent_seconds", 0.0)));
  return lines;
}

}  // namespace kdbench::sched
