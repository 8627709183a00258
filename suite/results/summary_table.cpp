#include "summary_table.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "kdbench/core/errors.h"
#include "kdbench/results/run_record_fields.h"

namespace kdbench::results::summary {
namespace {

constexpr hsize_t kRowsPerChunk = 64;

template <typename T>
constexpr bool kIsText = std::is_same_v<T, std::string> || std::is_same_v<T, Status>;

H5::StrType fixed_string(size_t width) {
  H5::StrType t(H5::PredType::C_S1, width);
  t.setStrpad(H5T_STR_NULLPAD);  // numpy's 'S' convention: no terminator when the value fills it
  return t;
}

// A column's bytes in the row: text = its width, numbers = their native size.
template <typename Field>
size_t column_size(const Field& field) {
  using T = typename Field::Type;
  if constexpr (kIsText<T>) {
    return field.summary_width;
  } else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, int64_t> ||
                       std::is_same_v<T, double>) {
    return sizeof(T);
  } else {
    static_assert(kUnhandledFieldType<T>, "/summary: add this column type");
  }
}

// Native numeric types, as the fixed C struct of schema version 1 had: the file's types are the
// host's (little-endian) int32, int64 and float64.
template <typename Field>
H5::DataType column_type(const Field& field) {
  using T = typename Field::Type;
  if constexpr (kIsText<T>) {
    return fixed_string(field.summary_width);
  } else if constexpr (std::is_same_v<T, int>) {
    return H5::PredType::NATIVE_INT32;
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return H5::PredType::NATIVE_INT64;
  } else {
    static_assert(std::is_same_v<T, double>);
    return H5::PredType::NATIVE_DOUBLE;
  }
}

// Calls visit(field, byte offset) for every column; columns are packed in list order.
template <typename Visit>
size_t for_each_column(Visit&& visit) {
  size_t offset = 0;
  for_each_field_with<kSummary>([&](const auto& field) {
    visit(field, offset);
    offset += column_size(field);
  });
  return offset;  // the row's size
}

size_t row_size() {
  return for_each_column([](const auto&, size_t) {});
}

H5::CompType row_type() {
  H5::CompType t(row_size());
  for_each_column([&](const auto& field, size_t offset) {
    t.insertMember(field.name, offset, column_type(field));
  });
  return t;
}

// The key's column alone, for finding a run's row without reading the others.
H5::CompType key_type(size_t* width) {
  std::string name;
  for_each_column([&](const auto& field, size_t) {
    if (!field.has(kKeyField)) return;
    name = field.name;
    *width = column_size(field);
  });
  H5::CompType t(*width);
  t.insertMember(name, 0, fixed_string(*width));
  return t;
}

H5::DataSpace one_row_selection(const H5::DataSet& ds, int64_t index) {
  H5::DataSpace file_space = ds.getSpace();
  const hsize_t start[1] = {static_cast<hsize_t>(index)};
  const hsize_t count[1] = {1};
  file_space.selectHyperslab(H5S_SELECT_SET, count, start);
  return file_space;
}

}  // namespace

Row make_row(const RunRecord& r) {
  Row row;
  row.bytes.assign(row_size(), 0);
  for_each_column([&](const auto& field, size_t offset) {
    using T = typename std::decay_t<decltype(field)>::Type;
    char* at = row.bytes.data() + offset;
    if constexpr (kIsText<T>) {
      std::string text;
      if constexpr (std::is_same_v<T, Status>) {
        text = to_string(field.of(r));
      } else {
        text = field.of(r);
      }
      if (field.has(kKeyField) && text.size() > field.summary_width) {
        throw IoError("run key '" + text + "' is longer than " +
                      std::to_string(field.summary_width) + " characters");
      }
      std::memcpy(at, text.data(), std::min(field.summary_width, text.size()));
    } else {
      const T value = field.of(r);
      std::memcpy(at, &value, sizeof value);
    }
  });
  return row;
}

void create(const H5::Group& root, const std::string& name) {
  const hsize_t dims[1] = {0};
  const hsize_t max_dims[1] = {H5S_UNLIMITED};
  H5::DSetCreatPropList props;
  const hsize_t chunk[1] = {kRowsPerChunk};
  props.setChunk(1, chunk);
  H5::CompType file_type = row_type();
  file_type.pack();  // no alignment holes on disk (the memory layout has none either)
  root.createDataSet(name, file_type, H5::DataSpace(1, dims, max_dims), props);
}

int64_t append(const H5::DataSet& ds, const Row& row) {
  hsize_t n = 0;
  ds.getSpace().getSimpleExtentDims(&n);
  const hsize_t grown[1] = {n + 1};
  ds.extend(grown);
  overwrite(ds, static_cast<int64_t>(n), row);
  return static_cast<int64_t>(n);
}

void overwrite(const H5::DataSet& ds, int64_t index, const Row& row) {
  const hsize_t one[1] = {1};
  ds.write(row.bytes.data(), row_type(), H5::DataSpace(1, one), one_row_selection(ds, index));
}

std::vector<std::string> read_keys(const H5::DataSet& ds) {
  hsize_t n = 0;
  ds.getSpace().getSimpleExtentDims(&n);
  size_t width = 0;
  const H5::CompType type = key_type(&width);
  std::vector<char> column(n * width);
  if (n > 0) ds.read(column.data(), type);  // HDF5 picks the member by name
  std::vector<std::string> keys;
  for (hsize_t i = 0; i < n; ++i) {
    const char* key = column.data() + i * width;
    keys.emplace_back(key, strnlen(key, width));
  }
  return keys;
}

}  // namespace kdbench::results::summary
