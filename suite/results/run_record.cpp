#include "kdbench/results/run_record.h"

#include <array>
#include <cctype>
#include <cmath>
#include <ctime>
#include <limits>
#include <type_traits>

#include "kdbench/core/errors.h"
#include "kdbench/results/run_record_fields.h"

namespace kdbench::results {
namespace {

constexpr std::array<const char*, 5> kStatusNames = {"PENDING", "RUNNING", "DONE", "FAILED",
                                                     "INTERRUPTED"};

const nlohmann::json& required(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) throw IoError(std::string("run record JSON: missing field '") + name + "'");
  return *it;
}

[[noreturn]] void wrong_type(const char* name, const char* expected, const nlohmann::json& v) {
  throw IoError(std::string("run record JSON: field '") + name + "' must be " + expected +
                ", got " + v.type_name());
}

std::string get_string(const nlohmann::json& j, const char* name) {
  const auto& v = required(j, name);
  if (!v.is_string()) wrong_type(name, "a string", v);
  return v.get<std::string>();
}

int64_t get_int(const nlohmann::json& j, const char* name) {
  const auto& v = required(j, name);
  if (!v.is_number_integer()) wrong_type(name, "an integer", v);
  return v.get<int64_t>();
}

// JSON has no NaN/Inf: nlohmann writes them as null, so null reads back as NaN.
double as_double(const nlohmann::json& v, const char* name) {
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!v.is_number()) wrong_type(name, "a number", v);
  return v.get<double>();
}

double get_double(const nlohmann::json& j, const char* name) {
  return as_double(required(j, name), name);
}

const nlohmann::json& get_object(const nlohmann::json& j, const char* name) {
  const auto& v = required(j, name);
  if (!v.is_object()) wrong_type(name, "an object", v);
  return v;
}

const nlohmann::json& get_array(const nlohmann::json& j, const char* name) {
  const auto& v = required(j, name);
  if (!v.is_array()) wrong_type(name, "an array", v);
  return v;
}

// One field's value from `j` (the record, or its "curves" object), by the field's C++ type.
template <typename T>
T get_value(const nlohmann::json& j, const char* name) {
  if constexpr (std::is_same_v<T, std::string>) {
    return get_string(j, name);
  } else if constexpr (std::is_same_v<T, int>) {
    return static_cast<int>(get_int(j, name));
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return get_int(j, name);
  } else if constexpr (std::is_same_v<T, double>) {
    return get_double(j, name);
  } else if constexpr (std::is_same_v<T, Status>) {
    return parse_status(get_string(j, name));
  } else if constexpr (std::is_same_v<T, nlohmann::json>) {
    const auto& v = required(j, name);  // objects (config, ...) and arrays (evaluations)
    if (!v.is_object() && !v.is_array()) wrong_type(name, "an object or an array", v);
    return v;
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    std::vector<std::string> out;
    for (const auto& v : get_array(j, name)) {
      if (!v.is_string()) wrong_type(name, "an array of strings", v);
      out.push_back(v.get<std::string>());
    }
    return out;
  } else if constexpr (std::is_same_v<T, std::vector<int>>) {
    std::vector<int> out;
    for (const auto& v : get_array(j, name)) {
      if (!v.is_number_integer()) {
        wrong_type(("curves." + std::string(name)).c_str(), "integers", v);
      }
      out.push_back(v.get<int>());
    }
    return out;
  } else if constexpr (std::is_same_v<T, std::vector<double>>) {
    std::vector<double> out;
    for (const auto& v : get_array(j, name)) out.push_back(as_double(v, name));
    return out;
  } else {
    static_assert(kUnhandledFieldType<T>, "record_from_json: add this field type");
  }
}

}  // namespace

std::string to_string(Status s) { return kStatusNames.at(static_cast<size_t>(s)); }

Status parse_status(const std::string& s) {
  std::string upper;
  for (char ch : s) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  for (size_t i = 0; i < kStatusNames.size(); ++i) {
    if (upper == kStatusNames[i]) return static_cast<Status>(i);
  }
  throw IoError("run status '" + s + "' is unknown (allowed: PENDING, RUNNING, DONE, FAILED, " +
                "INTERRUPTED)");
}

nlohmann::json to_json(const RunRecord& record) {
  const RunRecord r = stored_form(record);
  nlohmann::json j = nlohmann::json::object();
  nlohmann::json& curves = j["curves"] = nlohmann::json::object();
  for_each_field([&](const auto& field) {
    using Field = std::decay_t<decltype(field)>;
    nlohmann::json& into = Field::kIsCurve ? curves : j;
    if constexpr (std::is_same_v<typename Field::Type, Status>) {
      into[field.name] = to_string(field.of(r));
    } else {
      into[field.name] = field.of(r);  // non-finite doubles: NaN here, null in the text
    }
  });
  return j;
}

RunRecord record_from_json(const nlohmann::json& j) {
  if (!j.is_object())
    throw IoError(std::string("run record JSON: expected an object, got ") + j.type_name());
  RunRecord r;
  const bool has_metric = j.contains("metric");  // else written before the metric fields
  const nlohmann::json* curves = nullptr;        // looked up at the first curve: after every scalar
  for_each_field([&](const auto& field) {
    using Field = std::decay_t<decltype(field)>;
    if (field.has(kMetricValue) && !has_metric) return;
    if constexpr (Field::kIsCurve) {
      if (curves == nullptr) curves = &get_object(j, "curves");
      field.of(r) = get_value<typename Field::Type>(*curves, field.name);
    } else if (!field.has(kAddedLater) || j.contains(field.name)) {
      field.of(r) = get_value<typename Field::Type>(j, field.name);
    }
  });
  if (!has_metric) set_accuracy_metric(r);
  check_curve_lengths(r.curves, "run record JSON");
  return r;
}

void check_curve_lengths(const Curves& c, const std::string& where) {
  for_each_field([&](const auto& field) {
    if constexpr (std::decay_t<decltype(field)>::kIsCurve) {
      const size_t n = (c.*field.member).size();
      if (n != c.epoch.size()) {
        throw IoError(where + ": curves have unequal lengths (epoch has " +
                      std::to_string(c.epoch.size()) + " entries, another curve " +
                      std::to_string(n) + ")");
      }
    }
  });
}

bool scored_by_accuracy(const RunRecord& r) { return r.metric.empty() || r.metric == "accuracy"; }

RunRecord stored_form(const RunRecord& r) {
  RunRecord out = r;
  if (scored_by_accuracy(out)) set_accuracy_metric(out);
  return out;
}

void set_accuracy_metric(RunRecord& r) {
  r.metric = "accuracy";
  r.best_val_metric = r.best_val_acc;
  r.test_metric_at_best_val = r.test_acc_at_best_val;
  r.final_test_metric = r.final_test_acc;
  r.best_test_metric = r.best_test_acc;
  r.curves.val_metric = r.curves.val_acc;
  r.curves.test_metric = r.curves.test_acc;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace kdbench::results
