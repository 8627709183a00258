#pragma once
// Typed access to the flat "section.key" entries of a grid file; every conversion error names the
// source file, [section] key and the allowed values.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kdbench/grid/grid_spec.h"

namespace kdbench::grid {

class IniValues {
 public:
  IniValues(std::string source, const std::map<std::string, std::string>& entries)
      : source_(std::move(source)), entries_(entries) {}

  bool has(const std::string& key) const { return entries_.count(key) > 0; }
  std::string text(const std::string& key, const std::string& def) const;
  std::string choice(const std::string& key, const std::string& def,
                     const std::vector<std::string>& allowed) const;
  // Space-separated list; required lists must be present and non-empty; duplicates rejected.
  std::vector<std::string> words(const std::string& key, bool required) const;
  std::vector<int64_t> integers(const std::string& key, bool required, int64_t min,
                                int64_t max) const;
  int64_t integer(const std::string& key, int64_t def, int64_t min, int64_t max) const;
  double real(const std::string& key, double def, double min, double max) const;
  bool boolean(const std::string& key, bool def) const;
  // [section] overrides of a role's training config on top of `base`.
  TrainConfig role(const std::string& section, const TrainConfig& base) const;
  // The learning-rate schedule keys of [section] (lr_schedule, lr_milestones, lr_gamma).
  LrSchedule schedule(const std::string& section, const LrSchedule& base) const;
  // warmup_steps / warmup_ratio of [section] into `sched`.
  void warmup(const std::string& section, LrSchedule& sched) const;
  // adam_beta1, adam_beta2, adam_eps of [section] into `c`.
  void adam(const std::string& section, TrainConfig& c) const;
  // lr_milestones: 1-based epochs, positive and strictly increasing.
  std::vector<int> milestone_epochs(const std::string& key) const;

  // "grid.ini: [train] lr" — the prefix of every message.
  std::string where(const std::string& key) const;

 private:
  const std::string* find(const std::string& key) const;
  std::string source_;
  const std::map<std::string, std::string>& entries_;
};

}  // namespace kdbench::grid
