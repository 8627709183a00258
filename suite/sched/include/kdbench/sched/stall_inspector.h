#pragma once
// The coordinator's stall inspector (docs/design.md §3.6): every inspection (about every 30 s)
// it looks for
//  - a running task whose elapsed time exceeds stall_factor × its estimate (CostModel): stuck,
//    or far slower than the model thinks (a shared node, a swapping host);
//  - a busy rank that has sent nothing for longer than it should: max(silence_floor,
//    stall_factor × the interval it is expected to report at) — its task's whole estimate, or one
//    epoch's once the rank has sent a per-epoch progress message during that task. Idle ranks
//    wait for work and are never "silent".
// Each is reported once (one log line per stalled task run, one per silence), not at every
// inspection. Time is passed in (seconds on any monotonic clock), so tests need no sleeping.
#include <map>
#include <string>
#include <vector>

namespace kdbench::sched {

class StallInspector {
 public:
  explicit StallInspector(double stall_factor = 3, double silence_floor_seconds = 600);

  void started(const std::string& key, const std::string& label, const std::vector<int>& ranks,
               double now, double estimate_seconds, int epochs);
  void finished(const std::string& key);
  // Any message from `rank`; `progress`: a per-epoch progress message of its current task.
  void heard_from(int rank, double now, bool progress = false);

  // New warnings since the last check (one line each, for the log).
  std::vector<std::string> check(double now);

  struct Stall {
    std::string key, label;
    double elapsed = 0, estimate = 0;
  };
  struct Silence {
    int rank = -1;
    std::string key;  // the task it runs
    double silent = 0, threshold = 0;
  };
  // The state as of the last check (the progress file lists them).
  const std::vector<Stall>& stalls() const { return stalls_; }
  const std::vector<Silence>& silences() const { return silences_; }
  double stall_factor() const { return factor_; }

 private:
  struct Run {
    std::string label;
    std::vector<int> ranks;
    double started = 0, estimate = 0;
    int epochs = 1;
    bool warned = false;
  };
  struct RankState {
    double last_heard = 0;
    std::string key;  // the task it runs; "" when idle
    bool progress = false, warned = false;
  };
  double factor_, silence_floor_;
  std::map<std::string, Run> runs_;
  std::map<int, RankState> ranks_;
  std::vector<Stall> stalls_;
  std::vector<Silence> silences_;
};

}  // namespace kdbench::sched
