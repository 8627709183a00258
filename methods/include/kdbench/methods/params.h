#pragma once
// Reads and validates a method's [method.NAME] parameters. Every read records the resolved value;
// finish() rejects keys nobody read, listing the allowed ones. Errors name the section and key:
//   [method.kd] alpha: 1.5 is out of range [0, 1]
#include <set>
#include <string>
#include <vector>

#include "kdbench/methods/method.h"

namespace kdbench::methods {

class ParamReader {
 public:
  ParamReader(std::string method, const ParamMap& raw);

  double real(const std::string& key, double def, double min, double max);
  int integer(const std::string& key, int def, int min, int max);
  bool boolean(const std::string& key, bool def);
  std::string choice(const std::string& key, const std::string& def,
                     const std::vector<std::string>& allowed);
  // Any non-empty text (trimmed); "" only when `def` is "" and the key is absent or empty.
  std::string text(const std::string& key, const std::string& def);
  std::vector<double> reals(const std::string& key, const std::vector<double>& def, double min,
                            double max);

  // Marks `key` as known without recording it: a key of the [method.NAME] section that another
  // layer consumes (takd's `assistants` shapes the task DAG in the grid code, not the loss).
  void accept_unrecorded(const std::string& key) { read_.insert(key); }

  // Throws ConfigError for unknown keys; returns the resolved parameters as JSON.
  nlohmann::json finish();

  // "[method.NAME] key" — for errors raised by the method's own cross-checks.
  std::string where(const std::string& key) const;

 private:
  const std::string* find(const std::string& key);
  std::string method_;
  const ParamMap& raw_;
  std::set<std::string> read_;
  nlohmann::json resolved_ = nlohmann::json::object();
};

}  // namespace kdbench::methods
