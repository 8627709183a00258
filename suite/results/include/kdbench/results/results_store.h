#pragma once
// results.h5 (docs/design.md §6.1, schema_version 1), written by one process (rank 0) and flushed
// after every record, so a crash never loses a finished run. HDF5 appears only in the .cpp files.
//
// Layout: root attributes = provenance (schema_version, kdbench_version, git_sha, version_<name>
// for every entry of Provenance::versions, created, last_opened, grid_name, grid_ini, hostnames
// space-separated, world_size); /runs/<key> = one group per run, every RunRecord field as an
// attribute (JSON-valued ones as JSON text, plus summary_row) and the curves as 1-D datasets
// epoch (int32), train_loss, train_acc, val_acc, test_acc, lr, val_metric, test_metric, seconds
// (float64); /summary = one compound row per run (see summary_table.h). String attributes are
// fixed-length UTF-8, so h5py returns bytes: f["runs"][key].attrs["status"].decode(). Not
// thread-safe: one thread uses it.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kdbench/results/run_record.h"

namespace kdbench::results {

// Provenance written as root attributes when the file is created (and refreshed on reopen).
struct Provenance {
  std::string grid_name;
  std::string grid_ini;  // the full grid text
  std::vector<std::string> hostnames;
  int world_size = 1;
  std::map<std::string, std::string> versions;  // kdbench, git_sha, torch, hdf5, mpi, ...
};

class ResultsStore {
 public:
  // Opens an existing file (refreshing provenance; `created` is kept) or creates it and its
  // parent directories. IoError naming the path for anything but a kdbench results file.
  static ResultsStore open_or_create(const std::string& path, const Provenance& prov);
  // Opens read-only without taking HDF5's file lock, so `status`/`report` can read while a run
  // writes. IoError if missing, not HDF5, not a kdbench results file or another schema_version.
  static ResultsStore open_read_only(const std::string& path);
  ~ResultsStore();
  ResultsStore(ResultsStore&&) noexcept;
  ResultsStore& operator=(ResultsStore&&) noexcept;

  // Writes (or replaces: unlink + recreate) /runs/<key> and its /summary row (overwritten in
  // place), then flushes the file. Replacing a run does not grow the file. IoError for a key that
  // is empty, contains '/' or is over 64 characters, and for curves of unequal length.
  void put(const RunRecord& record);
  std::optional<RunRecord> get(const std::string& key) const;
  std::vector<RunRecord> read_all() const;  // in the order runs were first put
  std::map<std::string, Status> statuses() const;
  std::map<std::string, std::string> root_attributes() const;
  const std::string& path() const;

 private:
  struct Impl;
  explicit ResultsStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kdbench::results
