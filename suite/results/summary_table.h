#pragma once
// Internal to kdbench_results: the /summary dataset, one compound row per run, chunked and
// extendable so rows are appended per record and a replaced record overwrites its row in place.
//
// Strings are FIXED-length, null-padded byte fields (numpy dtype 'S<n>'), which h5py returns as a
// plain structured array and pandas.DataFrame(f["summary"][:]) accepts directly (decode with
// .str.decode("utf-8")). Variable-length strings would come back as object arrays and leave
// garbage in the global heap on every in-place overwrite. Descriptive fields longer than their
// width are truncated here (the full value is in /runs/<key>); the key must fit (IoError).
#include <H5Cpp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kdbench/results/run_record.h"

namespace kdbench::results::summary {

constexpr size_t kKeyWidth = 64;
constexpr size_t kNameWidth = 64;   // model, method, teacher_model
constexpr size_t kShortWidth = 16;  // kind, status

struct Row {
  char key[kKeyWidth];
  char kind[kShortWidth];
  char model[kNameWidth];
  char method[kNameWidth];
  char teacher_model[kNameWidth];
  int32_t teacher_checkpoint;
  int64_t seed;
  char status[kShortWidth];
  int64_t params_count;
  double best_val_acc, test_acc_at_best_val, final_test_acc, best_test_acc, wall_seconds;
};

Row make_row(const RunRecord& r);  // IoError if r.key is longer than kKeyWidth
std::string key_of(const Row& row);

// Creates an empty /summary under `root`.
void create(const H5::Group& root, const std::string& name);
// Appends `row` and returns its index.
int64_t append(const H5::DataSet& ds, const Row& row);
void overwrite(const H5::DataSet& ds, int64_t index, const Row& row);
std::vector<Row> read_all(const H5::DataSet& ds);

}  // namespace kdbench::results::summary
