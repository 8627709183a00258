#pragma once
// Explicit method registry (docs/design.md §4): filled once by register_builtin_methods(), no
// static self-registration, so the list of methods is visible in one file.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kdbench/methods/method.h"

namespace kdbench::methods {

using Factory = std::function<std::unique_ptr<Method>(const ParamMap&, const TrainShape&)>;

class Registry {
 public:
  void add(const std::string& name, const std::string& summary, Factory factory);
  // Builds a method; unknown names are a ConfigError listing the known ones; bad parameters are
  // a ConfigError naming [method.NAME] and the key.
  std::unique_ptr<Method> make(const std::string& name, const ParamMap& params,
                               const TrainShape& shape) const;
  bool contains(const std::string& name) const;
  std::vector<std::string> names() const;  // in registration order
  std::string summary(const std::string& name) const;

 private:
  struct Entry {
    std::string name, summary;
    Factory factory;
  };
  std::vector<Entry> entries_;
};

// The registry with every built-in method (built on first use, thread-safe).
const Registry& builtin();

// Defined in register_builtin_methods.cpp: the one place that lists the methods.
void register_builtin_methods(Registry& registry);

}  // namespace kdbench::methods
