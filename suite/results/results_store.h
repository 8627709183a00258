#pragma once
// results.h5 (DESIGN.md §6, schema_version 1), written by one process (rank 0) and flushed after
// every record, so a crash never loses a finished run. HDF5 appears only in the .cpp files.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "suite/results/run_record.h"

namespace kdbench::results {

// Provenance written as root attributes when the file is created (and refreshed on reopen).
struct Provenance {
  std::string grid_name;
  std::string grid_ini;           // the full grid text
  std::vector<std::string> hostnames;
  int world_size = 1;
  std::map<std::string, std::string> versions;  // kdbench, git_sha, torch, hdf5, mpi, ...
};

class ResultsStore {
 public:
  // Opens an existing file or creates it (and its parent directory).
  static ResultsStore open_or_create(const std::string& path, const Provenance& prov);
  // Opens read-only; IoError if missing or not a kdbench results file.
  static ResultsStore open_read_only(const std::string& path);
  ~ResultsStore();
  ResultsStore(ResultsStore&&) noexcept;
  ResultsStore& operator=(ResultsStore&&) noexcept;

  // Writes (or replaces) /runs/<key> and its /summary row, then flushes the file.
  void put(const RunRecord& record);
  std::optional<RunRecord> get(const std::string& key) const;
  std::vector<RunRecord> read_all() const;
  std::map<std::string, Status> statuses() const;
  std::map<std::string, std::string> root_attributes() const;
  const std::string& path() const;

 private:
  struct Impl;
  explicit ResultsStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kdbench::results
