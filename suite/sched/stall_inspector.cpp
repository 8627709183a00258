#include "kdbench/sched/stall_inspector.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "kdbench/sched/progress_report.h"

namespace kdbench::sched {

StallInspector::StallInspector(double stall_factor, double silence_floor_seconds)
    : factor_(stall_factor), silence_floor_(silence_floor_seconds) {}

void StallInspector::started(const std::string& key, const std::string& label,
                             const std::vector<int>& ranks, double now, double estimate_seconds,
                             int epochs) {
  runs_[key] = Run{label, ranks, now, estimate_seconds, std::max(1, epochs), false};
  for (int r : ranks) {
    RankState& s = ranks_[r];
    s.key = key;
    s.progress = false;
  }
}

void StallInspector::finished(const std::string& key) {
  const auto it = runs_.find(key);
  if (it == runs_.end()) return;
  for (int r : it->second.ranks)
    if (ranks_[r].key == key) ranks_[r].key.clear();
  runs_.erase(it);
}

void StallInspector::heard_from(int rank, double now, bool progress) {
  RankState& s = ranks_[rank];
  s.last_heard = now;
  s.warned = false;  // a new silence is reported again
  s.progress = s.progress || progress;
}

std::vector<std::string> StallInspector::check(double now) {
  std::vector<std::string> lines;
  stalls_.clear();
  silences_.clear();
  for (auto& [key, run] : runs_) {
    const double elapsed = now - run.started;
    if (!(run.estimate > 0) || elapsed <= factor_ * run.estimate) continue;
    stalls_.push_back({key, run.label, elapsed, run.estimate});
    if (run.warned) continue;
    run.warned = true;
    char numbers[64];
    std::snprintf(numbers, sizeof numbers, "%.1f× its estimate %s (stall_factor %g)",
                  elapsed / run.estimate, clock_text(run.estimate).c_str(), factor_);
    lines.push_back(run.label + " has run " + clock_text(elapsed) + ", " + numbers +
                    ": stuck, or far slower than estimated?");
  }
  for (auto& [rank, s] : ranks_) {
    if (s.key.empty()) continue;
    const Run& run = runs_.at(s.key);
    // A rank that reports every epoch is expected once per epoch; otherwise once per task.
    const double interval = s.progress ? run.estimate / run.epochs : run.estimate;
    const double threshold = std::max(silence_floor_, factor_ * interval);
    const double silent = now - std::max(s.last_heard, run.started);
    if (silent <= threshold) continue;
    silences_.push_back({rank, s.key, silent, threshold});
    if (s.warned) continue;
    s.warned = true;
    lines.push_back("rank " + std::to_string(rank) + " has sent nothing for " + clock_text(silent) +
                    " (running " + run.label + "; expected within " + clock_text(threshold) +
                    "): hung, or its node lost?");
  }
  return lines;
}

}  // namespace kdbench::sched
