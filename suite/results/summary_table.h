#pragma once
// Internal to kdbench_results: the /summary dataset, one compound row per run, chunked and
// extendable so rows are appended per record and a replaced record overwrites its row in place.
// Its columns are the fields flagged kSummary in run_record_fields.h, in that order.
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

// One row in the packed memory layout of the columns (no alignment holes).
struct Row {
  std::vector<char> bytes;
};

Row make_row(const RunRecord& r);  // IoError if r.key is longer than its column

// Creates an empty /summary under `root`.
void create(const H5::Group& root, const std::string& name);
// Appends `row` and returns its index.
int64_t append(const H5::DataSet& ds, const Row& row);
void overwrite(const H5::DataSet& ds, int64_t index, const Row& row);
// The key column of every row, in row order.
std::vector<std::string> read_keys(const H5::DataSet& ds);

}  // namespace kdbench::results::summary
