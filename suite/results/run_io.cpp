#include "run_io.h"

#include <type_traits>

#include "h5_io.h"
#include "kdbench/core/errors.h"
#include "kdbench/results/run_record_fields.h"

namespace kdbench::results::run_io {
namespace {

nlohmann::json read_json(const H5::Group& g, const std::string& where, const char* name) {
  const std::string text = h5::read_string(g, where, name);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw IoError(where + ": attribute '" + name + "' is not valid JSON: " + e.what());
  }
}

// The attribute types are part of the file format (read_results.py, users' h5py scripts):
// int = int32, int64_t = int64, double = float64, text = fixed-length UTF-8 string.
template <typename T>
void write_attribute(const H5::Group& g, const char* name, const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    h5::write_string(g, name, value);
  } else if constexpr (std::is_same_v<T, int>) {
    h5::write_int(g, name, value, H5::PredType::STD_I32LE);
  } else if constexpr (std::is_same_v<T, int64_t>) {
    h5::write_int(g, name, value, H5::PredType::STD_I64LE);
  } else if constexpr (std::is_same_v<T, double>) {
    h5::write_double(g, name, value);
  } else if constexpr (std::is_same_v<T, Status>) {
    h5::write_string(g, name, to_string(value));
  } else if constexpr (std::is_same_v<T, nlohmann::json> ||
                       std::is_same_v<T, std::vector<std::string>>) {
    h5::write_string(g, name, nlohmann::json(value).dump());
  } else {
    static_assert(kUnhandledFieldType<T>, "write_run: add this field type");
  }
}

template <typename T>
T read_attribute(const H5::Group& g, const std::string& where, const char* name) {
  if constexpr (std::is_same_v<T, std::string>) {
    return h5::read_string(g, where, name);
  } else if constexpr (std::is_same_v<T, int>) {
    return static_cast<int>(h5::read_int(g, where, name));
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return h5::read_int(g, where, name);
  } else if constexpr (std::is_same_v<T, double>) {
    return h5::read_double(g, where, name);
  } else if constexpr (std::is_same_v<T, Status>) {
    return parse_status(h5::read_string(g, where, name));
  } else if constexpr (std::is_same_v<T, nlohmann::json>) {
    return read_json(g, where, name);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    const nlohmann::json list = read_json(g, where, name);
    if (!list.is_array()) {
      throw IoError(where + ": attribute '" + name + "' is not a JSON array");
    }
    std::vector<std::string> out;
    for (const auto& item : list) {
      if (!item.is_string()) throw IoError(where + ": attribute '" + name + "' must hold strings");
      out.push_back(item.get<std::string>());
    }
    return out;
  } else {
    static_assert(kUnhandledFieldType<T>, "read_run: add this field type");
  }
}

template <typename T>
void write_curve(const H5::Group& g, const char* name, const T& values) {
  if constexpr (std::is_same_v<T, std::vector<int>>) {
    h5::write_ints(g, name, values);
  } else if constexpr (std::is_same_v<T, std::vector<double>>) {
    h5::write_doubles(g, name, values);
  } else {
    static_assert(kUnhandledFieldType<T>, "write_run: add this curve type");
  }
}

template <typename T>
T read_curve(const H5::Group& g, const char* name) {
  if constexpr (std::is_same_v<T, std::vector<int>>) {
    return h5::read_ints(g, name);
  } else if constexpr (std::is_same_v<T, std::vector<double>>) {
    return h5::read_doubles(g, name);
  } else {
    static_assert(kUnhandledFieldType<T>, "read_run: add this curve type");
  }
}

}  // namespace

void write_run(const H5::Group& g, const RunRecord& r, int64_t summary_row) {
  h5::write_int(g, kSummaryRowAttr, summary_row, H5::PredType::STD_I64LE);
  for_each_field([&](const auto& field) {
    using Field = std::decay_t<decltype(field)>;
    if constexpr (Field::kIsCurve) {
      write_curve(g, field.name, field.of(r));
    } else if (!field.has(kKeyField)) {  // the key is the group's name
      write_attribute(g, field.name, field.of(r));
    }
  });
}

RunRecord read_run(const H5::Group& g, const std::string& key) {
  const std::string where = "/runs/" + key;
  RunRecord r;
  const bool has_metric = g.attrExists("metric");  // else written before the metric fields
  for_each_field([&](const auto& field) {
    using Field = std::decay_t<decltype(field)>;
    using T = typename Field::Type;
    if (field.has(kMetricValue) && !has_metric) return;
    if constexpr (Field::kIsCurve) {
      field.of(r) = read_curve<T>(g, field.name);
    } else if (!field.has(kKeyField) && (!field.has(kAddedLater) || g.attrExists(field.name))) {
      field.of(r) = read_attribute<T>(g, where, field.name);
    }
  });
  r.key = key;
  if (!has_metric) set_accuracy_metric(r);
  check_curve_lengths(r.curves, where);
  return r;
}

}  // namespace kdbench::results::run_io
