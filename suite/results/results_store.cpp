#include "kdbench/results/results_store.h"

#include <H5Cpp.h>

#include <algorithm>
#include <filesystem>

#include "h5_io.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/test_pause.h"
#include "run_io.h"
#include "summary_table.h"

namespace fs = std::filesystem;

namespace kdbench::results {
namespace {

constexpr int kSchemaVersion = 1;
constexpr const char* kRuns = "runs";
constexpr const char* kSummaryDataset = "summary";

#if H5_VERSION_GE(1, 12, 0)  // H5Literate is H5Literate2 there
using LinkInfo = H5L_info2_t;
#else
using LinkInfo = H5L_info_t;
#endif

herr_t collect_link_name(hid_t, const char* name, const LinkInfo*, void* names) {
  static_cast<std::vector<std::string>*>(names)->emplace_back(name);
  return 0;
}

// The names of `group`'s members in one pass: getObjnameByIdx(i) rebuilds the sorted name table
// on every call, which made reading a file of n runs O(n^2 log n) (minutes at 10,000 runs).
std::vector<std::string> member_names(const H5::Group& group) {
  std::vector<std::string> names;
  hsize_t index = 0;
  if (H5Literate(group.getId(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_link_name, &names) < 0)
    throw H5::GroupIException("H5Literate", "cannot list the runs");
  return names;
}

void check_key(const std::string& key) {
  if (key.empty() || key == "." || key == ".." || key.find('/') != std::string::npos) {
    throw IoError("run key '" + key + "' is invalid (must be non-empty, without '/')");
  }
}

std::string version_of(const Provenance& prov, const std::string& name) {
  auto it = prov.versions.find(name);
  return it == prov.versions.end() ? std::string() : it->second;
}

// Root attributes of docs/design.md §6.1. `created` and `schema_version` are written once; the rest
// describe the latest session that opened the file for writing (a resume may use other hosts).
void write_provenance(const H5::Group& root, const Provenance& prov) {
  h5::write_string(root, "kdbench_version", version_of(prov, "kdbench"));
  h5::write_string(root, "git_sha", version_of(prov, "git_sha"));
  for (const auto& [name, version] : prov.versions) {
    h5::write_string(root, "version_" + name, version);
  }
  h5::write_string(root, "grid_name", prov.grid_name);
  h5::write_string(root, "grid_ini", prov.grid_ini);
  std::string hostnames;
  for (const auto& host : prov.hostnames) hostnames += (hostnames.empty() ? "" : " ") + host;
  h5::write_string(root, "hostnames", hostnames);
  h5::write_int(root, "world_size", prov.world_size);
  h5::write_string(root, "last_opened", utc_now());
}

// A kdbench results file has schema_version 1, /runs and /summary.
void check_layout(const H5::H5File& file, const std::string& path) {
  const H5::Group root = file.openGroup("/");
  if (!root.attrExists("schema_version") || !file.nameExists(kRuns) ||
      !file.nameExists(kSummaryDataset)) {
    throw BadInputFile(path +
                       ": is an HDF5 file but not a kdbench results file (no schema_version, "
                       "/runs or /summary)");
  }
  const int64_t version = h5::read_int(root, "/", "schema_version");
  if (version != kSchemaVersion) {
    throw BadInputFile(path + ": results schema_version " + std::to_string(version) +
                       " is not supported (this kdbench reads " + std::to_string(kSchemaVersion) +
                       ")");
  }
}

void check_is_hdf5(const std::string& path) {
  if (!fs::is_regular_file(path)) {
    throw BadInputFile(path + ": results file does not exist (or is not a regular file)");
  }
  bool is_hdf5 = false;
  try {
    is_hdf5 = H5::H5File::isHdf5(path);
  } catch (const H5::Exception&) {
    is_hdf5 = false;
  }
  if (!is_hdf5) throw BadInputFile(path + ": not an HDF5 file (expected a kdbench results .h5)");
}

// An existing file HDF5 cannot open (truncated, damaged) is bad input, like one of another kind.
H5::H5File open_existing(const std::string& path, unsigned flags, const std::string& what) {
  try {
    return h5::guarded(path, what, [&] { return H5::H5File(path, flags); });
  } catch (const IoError& e) {
    // Held by another process (HDF5's own file lock) is not damage.
    const std::string why = e.what();
    if (why.find("unable to lock") != std::string::npos ||
        why.find("locking flag") != std::string::npos)
      throw;
    throw BadInputFile(std::string(e.what()) +
                       " (a damaged results file: `kdbench merge` it into a new file to keep what "
                       "is readable, or move it away)");
  }
}

}  // namespace

struct ResultsStore::Impl {
  std::string path;
  H5::H5File file;
  bool writable = false;  // checked by put(): in the writer's process HDF5 shares one handle
  // /summary row of every key, read from the file at the first put of a new key and kept up to
  // date by put() (the only writer): scanning the table for every new run made a grid of n runs
  // cost O(n^2) (bench/README.md, "Scheduler at cluster scale").
  std::optional<std::map<std::string, int64_t>> summary_rows;

  H5::Group runs() const { return file.openGroup(kRuns); }
  H5::DataSet summary() const { return file.openDataSet(kSummaryDataset); }
};

ResultsStore::ResultsStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultsStore::~ResultsStore() = default;
ResultsStore::ResultsStore(ResultsStore&&) noexcept = default;
ResultsStore& ResultsStore::operator=(ResultsStore&&) noexcept = default;

ResultsStore ResultsStore::open_or_create(const std::string& path, const Provenance& prov) {
  H5::Exception::dontPrint();
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->writable = true;
  if (fs::exists(path)) {
    check_is_hdf5(path);
    h5::guarded(path, "opening for writing", [&] {
      impl->file = open_existing(path, H5F_ACC_RDWR, "opening for writing");
      check_layout(impl->file, path);
      write_provenance(impl->file.openGroup("/"), prov);
      impl->file.flush(H5F_SCOPE_GLOBAL);
    });
    return ResultsStore(std::move(impl));
  }
  const fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec) throw IoError(parent.string() + ": cannot create directory: " + ec.message());
  h5::guarded(path, "creating", [&] {
    // Space freed by replaced runs is tracked and reused, also after a reopen (persist).
    H5::FileCreatPropList create_props;
    create_props.setFileSpaceStrategy(H5F_FSPACE_STRATEGY_FSM_AGGR, true, 1);
    // 1.8+ object headers allow attributes over 64 KiB (a long grid_ini); capped at the 1.10
    // format so that files stay readable by any HDF5 >= 1.10 (h5py wheels included).
    H5::FileAccPropList access;
    access.setLibverBounds(H5F_LIBVER_V18, H5F_LIBVER_V110);
    impl->file = H5::H5File(path, H5F_ACC_EXCL, create_props, access);
    const H5::Group root = impl->file.openGroup("/");
    h5::write_int(root, "schema_version", kSchemaVersion);
    h5::write_string(root, "created", utc_now());
    write_provenance(root, prov);
    impl->file.createGroup(kRuns);
    summary::create(root, kSummaryDataset);
    impl->file.flush(H5F_SCOPE_GLOBAL);
  });
  return ResultsStore(std::move(impl));
}

ResultsStore ResultsStore::open_read_only(const std::string& path) {
  H5::Exception::dontPrint();
  check_is_hdf5(path);
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  h5::guarded(path, "opening for reading", [&] {
    // Without HDF5's file lock, so `kdbench status` / `report` can read while a run's writer
    // holds it (the writer flushes after every record: a reader sees the last flushed state).
    // HDF5 refuses a second open with other locking flags inside one process, so a reader in
    // the writer's own process falls back to the default flags.
    H5::FileAccPropList no_lock;
    no_lock.setFileLocking(false, true);
    try {
      impl->file = H5::H5File(path, H5F_ACC_RDONLY, H5::FileCreatPropList::DEFAULT, no_lock);
    } catch (const H5::Exception&) {
      impl->file = open_existing(path, H5F_ACC_RDONLY, "opening for reading");
    }
    check_layout(impl->file, path);
  });
  return ResultsStore(std::move(impl));
}

void ResultsStore::put(const RunRecord& given) {
  if (!impl_->writable) throw IoError(impl_->path + ": opened read-only, cannot write runs");
  const RunRecord record = stored_form(given);
  check_key(record.key);
  check_curve_lengths(record.curves, impl_->path + ": run " + record.key);
  const summary::Row row = summary::make_row(record);
  h5::guarded(impl_->path, "writing run " + record.key, [&] {
    const H5::Group runs = impl_->runs();
    const H5::DataSet table = impl_->summary();
    int64_t row_index = -1;
    if (runs.nameExists(record.key)) {
      const H5::Group old = runs.openGroup(record.key);
      if (old.attrExists(run_io::kSummaryRowAttr)) {
        row_index = h5::read_int(old, record.key, run_io::kSummaryRowAttr);
      }
      runs.unlink(record.key);
    }
    auto& rows = impl_->summary_rows;
    if (!rows) {
      rows.emplace();
      const auto keys = summary::read_keys(table);
      for (size_t i = keys.size(); i-- > 0;) (*rows)[keys[i]] = static_cast<int64_t>(i);
    }
    if (row_index < 0) {  // also recovers a row whose group was lost between unlink and create
      const auto it = rows->find(record.key);
      if (it != rows->end()) row_index = it->second;
    }
    if (row_index < 0) {
      row_index = summary::append(table, row);
      (*rows)[record.key] = row_index;
    } else {
      summary::overwrite(table, row_index, row);
    }
    run_io::write_run(runs.createGroup(record.key), record, row_index);
    test_pause_point("results-flush");
    impl_->file.flush(H5F_SCOPE_GLOBAL);
  });
}

std::optional<RunRecord> ResultsStore::get(const std::string& key) const {
  check_key(key);
  return h5::guarded(impl_->path, "reading run " + key, [&]() -> std::optional<RunRecord> {
    const H5::Group runs = impl_->runs();
    if (!runs.nameExists(key)) return std::nullopt;
    return run_io::read_run(runs.openGroup(key), key);
  });
}

std::vector<RunRecord> ResultsStore::read_all() const {
  return h5::guarded(impl_->path, "reading all runs", [&] {
    const H5::Group runs = impl_->runs();
    std::vector<std::pair<int64_t, RunRecord>> ordered;
    for (const auto& key : member_names(runs)) {
      const H5::Group g = runs.openGroup(key);
      const int64_t row = g.attrExists(run_io::kSummaryRowAttr)
                              ? h5::read_int(g, key, run_io::kSummaryRowAttr)
                              : INT64_MAX;
      ordered.emplace_back(row, run_io::read_run(g, key));
    }
    // Summary-row order = the order in which runs were first recorded.
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<RunRecord> out;
    for (auto& entry : ordered) out.push_back(std::move(entry.second));
    return out;
  });
}

std::map<std::string, Status> ResultsStore::statuses() const {
  return h5::guarded(impl_->path, "reading run statuses", [&] {
    const H5::Group runs = impl_->runs();
    std::map<std::string, Status> out;
    for (const auto& key : member_names(runs)) {
      out[key] = parse_status(h5::read_string(runs.openGroup(key), key, "status"));
    }
    return out;
  });
}

std::map<std::string, std::string> ResultsStore::root_attributes() const {
  return h5::guarded(impl_->path, "reading root attributes",
                     [&] { return h5::read_all_as_text(impl_->file.openGroup("/")); });
}

const std::string& ResultsStore::path() const { return impl_->path; }

}  // namespace kdbench::results
