#pragma once
// Shared by the benchmark programs: the median of timed windows and strict argument parsing
// (a bad value is one line on stderr and exit 2, like kdbench itself).
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "kdbench/core/strings.h"

namespace kdbench::bench {

inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

[[noreturn]] inline void usage_error(const std::string& program, const std::string& message) {
  std::cerr << program << ": " << message << "\n";
  std::exit(2);
}

// "--name VALUE" pairs; every name must be one of `allowed`.
class BenchArgs {
 public:
  BenchArgs(int argc, char** argv, std::string program, std::vector<std::string> allowed)
      : program_(std::move(program)) {
    for (int i = 1; i < argc; i += 2) {
      const std::string name = argv[i];
      const bool known = name.rfind("--", 0) == 0 &&
                         std::find(allowed.begin(), allowed.end(), name.substr(2)) != allowed.end();
      if (!known) usage_error(program_, "unknown argument '" + name + "'");
      if (i + 1 >= argc) usage_error(program_, name + " needs a value");
      names_.push_back(name.substr(2));
      values_.push_back(argv[i + 1]);
    }
  }

  std::string text(const std::string& name, const std::string& fallback) const {
    for (size_t i = names_.size(); i-- > 0;)
      if (names_[i] == name) return values_[i];
    return fallback;
  }

  // Every value of a repeatable argument, in order.
  std::vector<std::string> all(const std::string& name) const {
    std::vector<std::string> found;
    for (size_t i = 0; i < names_.size(); ++i)
      if (names_[i] == name) found.push_back(values_[i]);
    return found;
  }

  long positive(const std::string& name, long fallback) const {
    const std::string value = text(name, std::to_string(fallback));
    char* end = nullptr;
    const long n = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || n < 1)
      usage_error(program_, "--" + name + ": '" + value + "' is not a positive integer");
    return n;
  }

  // "--batch 128,32": a list (commas or blanks), every value a positive integer.
  std::vector<long> positive_list(const std::string& name, const std::string& fallback) const {
    std::vector<long> values;
    for (const auto& item : kdbench::split_ws(text(name, fallback))) {
      char* end = nullptr;
      const long n = std::strtol(item.c_str(), &end, 10);
      if (*end != '\0' || n < 1)
        usage_error(program_, "--" + name + ": '" + item + "' is not a positive integer");
      values.push_back(n);
    }
    if (values.empty()) usage_error(program_, "--" + name + " needs a value");
    return values;
  }

  const std::string& program() const { return program_; }

 private:
  std::string program_;
  std::vector<std::string> names_, values_;
};

}  // namespace kdbench::bench
