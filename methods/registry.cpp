#include "kdbench/methods/registry.h"

#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"

namespace kdbench::methods {

std::vector<Phase> Method::phases(int epochs) const {
  Phase p;
  p.epochs = epochs;
  p.uses_teacher = uses_teacher();
  return {p};
}

void Registry::add(const std::string& name, const std::string& summary, Factory factory) {
  entries_.push_back({name, summary, std::move(factory)});
}

std::unique_ptr<Method> Registry::make(const std::string& name, const ParamMap& params,
                                       const TrainShape& shape) const {
  for (const auto& e : entries_)
    if (e.name == name) return e.factory(params, shape);
  throw ConfigError("unknown method '" + name + "' (known: " + join(names(), " ") + ")");
}

bool Registry::contains(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name) return true;
  return false;
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.name);
  return out;
}

std::string Registry::summary(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name) return e.summary;
  return "";
}

const Registry& builtin() {
  static const Registry registry = [] {
    Registry r;
    register_builtin_methods(r);
    return r;
  }();
  return registry;
}

}  // namespace kdbench::methods
