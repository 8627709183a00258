#pragma once
// Records generated from run_record_fields.h itself, so a field added to the list is covered by
// every round-trip test without touching them: each field gets a value of its type that differs
// from its default and from every other field's.
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "kdbench/results/run_record_fields.h"

namespace kdbench::fixtures {

// A non-default value for field number `i` named `name`. Curves get 3 entries; double curves a
// NaN (null in JSON text, read back as NaN; an infinity would come back as NaN too).
template <typename T>
T distinct_value(int i, const std::string& name) {
  if constexpr (std::is_same_v<T, std::string>) {
    return "v" + std::to_string(i) + "-" + name + "-ü";  // non-ASCII: UTF-8 must survive
  } else if constexpr (std::is_same_v<T, int>) {
    return -1000 - i;  // negative: sign must survive (defaults are 0 or -1)
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return (int64_t{1} << 40) + i;  // does not fit 32 bits
  } else if constexpr (std::is_same_v<T, double>) {
    return 0.1 + i / 7.0;  // not exactly representable in decimal: full precision must survive
  } else if constexpr (std::is_same_v<T, results::Status>) {
    return results::Status::Interrupted;
  } else if constexpr (std::is_same_v<T, nlohmann::json>) {
    return nlohmann::json{{"field", name}, {"n", i}, {"nested", {{"x", 0.25}}}};
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    return {name, "b" + std::to_string(i), "c"};
  } else if constexpr (std::is_same_v<T, std::vector<int>>) {
    return {i + 1, i + 2, i + 3};
  } else if constexpr (std::is_same_v<T, std::vector<double>>) {
    return {i / 3.0, std::nan(""), -0.5 - i};
  } else {
    static_assert(results::kUnhandledFieldType<T>, "distinct_value: add this field type");
  }
}

// Equal, with NaN equal to NaN (a NaN that went through JSON comes back as a NaN).
inline bool same_value(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}
inline bool same_value(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!same_value(a[i], b[i])) return false;
  }
  return true;
}
template <typename T>
bool same_value(const T& a, const T& b) {
  return a == b;
}

// Every field of the list set by distinct_value; `key` replaces the key's value (HDF5 needs a
// key without '/' of at most 64 characters).
inline results::RunRecord generated_record(const std::string& key) {
  results::RunRecord r;
  int i = 0;
  results::for_each_field([&](const auto& field) {
    using T = typename std::decay_t<decltype(field)>::Type;
    field.of(r) = distinct_value<T>(i++, field.name);
  });
  r.key = key;
  return r;
}

// Every field's name, space-separated, in list order.
inline std::string all_field_names() {
  std::string names;
  results::for_each_field(
      [&](const auto& field) { names += std::string(names.empty() ? "" : " ") + field.name; });
  return names;
}

// The names of the fields whose values differ between `a` and `b` ("" when none).
inline std::string differing_fields(const results::RunRecord& a, const results::RunRecord& b) {
  std::string names;
  results::for_each_field([&](const auto& field) {
    if (same_value(field.of(a), field.of(b))) return;
    names += std::string(names.empty() ? "" : " ") + field.name;
  });
  return names;
}

// The metric fields of `read` that are not `metric`'s "accuracy" or the accuracy value of
// `written` they should have been copied from ("" when all are): a record read from a file or
// JSON written before the metric fields existed.
inline std::string metric_fields_not_accuracy(const results::RunRecord& read,
                                              const results::RunRecord& written) {
  std::string names;
  auto check = [&](bool same, const char* name) {
    if (!same) names += std::string(names.empty() ? "" : " ") + name;
  };
  check(read.metric == "accuracy", "metric");
  check(same_value(read.best_val_metric, written.best_val_acc), "best_val_metric");
  check(same_value(read.test_metric_at_best_val, written.test_acc_at_best_val),
        "test_metric_at_best_val");
  check(same_value(read.final_test_metric, written.final_test_acc), "final_test_metric");
  check(same_value(read.best_test_metric, written.best_test_acc), "best_test_metric");
  check(same_value(read.curves.val_metric, written.curves.val_acc), "val_metric");
  check(same_value(read.curves.test_metric, written.curves.test_acc), "test_metric");
  return names;
}

}  // namespace kdbench::fixtures
