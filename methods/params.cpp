#include "kdbench/methods/params.h"

#include <algorithm>
#include <sstream>

#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"

namespace kdbench::methods {
namespace {

std::string range_text(double min, double max) {
  std::ostringstream os;
  os << "[" << min << ", " << max << "]";
  return os.str();
}

}  // namespace

ParamReader::ParamReader(std::string method, const ParamMap& raw)
    : method_(std::move(method)), raw_(raw) {}

std::string ParamReader::where(const std::string& key) const {
  return "[method." + method_ + "] " + key;
}

const std::string* ParamReader::find(const std::string& key) {
  read_.insert(key);
  auto it = raw_.find(key);
  return it == raw_.end() ? nullptr : &it->second;
}

double ParamReader::real(const std::string& key, double def, double min, double max) {
  const std::string* text = find(key);
  const double v = text ? parse_double(*text, where(key)) : def;
  if (v < min || v > max) {
    std::ostringstream os;
    os << where(key) << ": " << v << " is out of range " << range_text(min, max);
    throw ConfigError(os.str());
  }
  resolved_[key] = v;
  return v;
}

int ParamReader::integer(const std::string& key, int def, int min, int max) {
  const std::string* text = find(key);
  const int64_t v = text ? parse_int(*text, where(key)) : def;
  if (v < min || v > max)
    throw ConfigError(where(key) + ": " + std::to_string(v) + " is out of range [" +
                      std::to_string(min) + ", " + std::to_string(max) + "]");
  resolved_[key] = v;
  return static_cast<int>(v);
}

bool ParamReader::boolean(const std::string& key, bool def) {
  const std::string* text = find(key);
  const bool v = text ? parse_bool(*text, where(key)) : def;
  resolved_[key] = v;
  return v;
}

std::string ParamReader::choice(const std::string& key, const std::string& def,
                                const std::vector<std::string>& allowed) {
  const std::string* text = find(key);
  const std::string v = text ? trim(*text) : def;
  if (std::find(allowed.begin(), allowed.end(), v) == allowed.end())
    throw ConfigError(where(key) + ": '" + v + "' is not allowed (allowed: " + join(allowed, " ") +
                      ")");
  resolved_[key] = v;
  return v;
}

std::string ParamReader::text(const std::string& key, const std::string& def) {
  const std::string* given = find(key);
  const std::string v = given ? trim(*given) : def;
  if (given && v.empty() && !def.empty()) throw ConfigError(where(key) + ": empty");
  resolved_[key] = v;
  return v;
}

std::vector<double> ParamReader::reals(const std::string& key, const std::vector<double>& def,
                                       double min, double max) {
  const std::string* text = find(key);
  std::vector<double> out = def;
  if (text) {
    out.clear();
    for (const auto& tok : split_ws(*text)) out.push_back(parse_double(tok, where(key)));
    if (out.empty()) throw ConfigError(where(key) + ": empty list");
  }
  for (double v : out)
    if (v < min || v > max) {
      std::ostringstream os;
      os << where(key) << ": " << v << " is out of range " << range_text(min, max);
      throw ConfigError(os.str());
    }
  resolved_[key] = out;
  return out;
}

nlohmann::json ParamReader::finish() {
  std::vector<std::string> unknown;
  for (const auto& [k, v] : raw_)
    if (!read_.count(k)) unknown.push_back(k);
  if (!unknown.empty()) {
    std::vector<std::string> allowed(read_.begin(), read_.end());
    const std::string hint =
        allowed.empty() ? "this method takes no parameters" : "allowed: " + join(allowed, " ");
    throw ConfigError("[method." + method_ + "] unknown key '" + unknown.front() + "' (" + hint +
                      ")");
  }
  return resolved_;
}

}  // namespace kdbench::methods
