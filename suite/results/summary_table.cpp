#include "summary_table.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "kdbench/core/errors.h"

namespace kdbench::results::summary {
namespace {

constexpr hsize_t kRowsPerChunk = 64;

template <size_t N>
void copy_truncated(char (&dst)[N], const std::string& src) {
  std::memset(dst, 0, N);
  std::memcpy(dst, src.data(), std::min(N, src.size()));
}

template <size_t N>
std::string from_field(const char (&src)[N]) {
  return std::string(src, strnlen(src, N));
}

H5::StrType fixed_string(size_t width) {
  H5::StrType t(H5::PredType::C_S1, width);
  t.setStrpad(H5T_STR_NULLPAD);  // numpy's 'S' convention: no terminator when the value fills it
  return t;
}

H5::CompType row_type() {
  H5::CompType t(sizeof(Row));
  t.insertMember("key", offsetof(Row, key), fixed_string(kKeyWidth));
  t.insertMember("kind", offsetof(Row, kind), fixed_string(kShortWidth));
  t.insertMember("model", offsetof(Row, model), fixed_string(kNameWidth));
  t.insertMember("method", offsetof(Row, method), fixed_string(kNameWidth));
  t.insertMember("teacher_model", offsetof(Row, teacher_model), fixed_string(kNameWidth));
  t.insertMember("teacher_checkpoint", offsetof(Row, teacher_checkpoint),
                 H5::PredType::NATIVE_INT32);
  t.insertMember("seed", offsetof(Row, seed), H5::PredType::NATIVE_INT64);
  t.insertMember("status", offsetof(Row, status), fixed_string(kShortWidth));
  t.insertMember("params_count", offsetof(Row, params_count), H5::PredType::NATIVE_INT64);
  t.insertMember("best_val_acc", offsetof(Row, best_val_acc), H5::PredType::NATIVE_DOUBLE);
  t.insertMember("test_acc_at_best_val", offsetof(Row, test_acc_at_best_val),
                 H5::PredType::NATIVE_DOUBLE);
  t.insertMember("final_test_acc", offsetof(Row, final_test_acc), H5::PredType::NATIVE_DOUBLE);
  t.insertMember("best_test_acc", offsetof(Row, best_test_acc), H5::PredType::NATIVE_DOUBLE);
  t.insertMember("wall_seconds", offsetof(Row, wall_seconds), H5::PredType::NATIVE_DOUBLE);
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
  if (r.key.size() > kKeyWidth) {
    throw IoError("run key '" + r.key + "' is longer than " + std::to_string(kKeyWidth) +
                  " characters");
  }
  Row row{};
  copy_truncated(row.key, r.key);
  copy_truncated(row.kind, r.kind);
  copy_truncated(row.model, r.model);
  copy_truncated(row.method, r.method);
  copy_truncated(row.teacher_model, r.teacher_model);
  row.teacher_checkpoint = r.teacher_checkpoint;
  row.seed = r.seed;
  copy_truncated(row.status, to_string(r.status));
  row.params_count = r.params_count;
  row.best_val_acc = r.best_val_acc;
  row.test_acc_at_best_val = r.test_acc_at_best_val;
  row.final_test_acc = r.final_test_acc;
  row.best_test_acc = r.best_test_acc;
  row.wall_seconds = r.wall_seconds;
  return row;
}

std::string key_of(const Row& row) { return from_field(row.key); }

void create(const H5::Group& root, const std::string& name) {
  const hsize_t dims[1] = {0};
  const hsize_t max_dims[1] = {H5S_UNLIMITED};
  H5::DSetCreatPropList props;
  const hsize_t chunk[1] = {kRowsPerChunk};
  props.setChunk(1, chunk);
  H5::CompType file_type = row_type();
  file_type.pack();  // no alignment holes on disk
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
  ds.write(&row, row_type(), H5::DataSpace(1, one), one_row_selection(ds, index));
}

std::vector<Row> read_all(const H5::DataSet& ds) {
  hsize_t n = 0;
  ds.getSpace().getSimpleExtentDims(&n);
  std::vector<Row> rows(n);
  if (n > 0) ds.read(rows.data(), row_type());
  return rows;
}

}  // namespace kdbench::results::summary
