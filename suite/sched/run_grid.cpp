#include "kdbench/sched/run_grid.h"

#include <torch/version.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <set>
#include <thread>

#include "kdbench/core/errors.h"
#include "kdbench/core/log.h"
#include "kdbench/core/strings.h"
#include "kdbench/core/version.h"
#include "kdbench/datasets/dataset.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/shard.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/results/results_lock.h"
#include "kdbench/results/results_store.h"
#include "kdbench/sched/coordinator.h"
#include "kdbench/sched/worker.h"
#include "kdbench/train/device.h"
#include "kdbench/train/stop_flag.h"

namespace kdbench::sched {
namespace {

grid::GridSpec parse(const std::string& text, const RunOptions& opts) {
  auto spec = grid::parse_grid_text(text, opts.grid_path);
  if (!opts.results_path.empty()) spec.results = opts.results_path;
  if (opts.threads > 0) spec.threads = opts.threads;
  return spec;
}

results::Provenance provenance(const grid::GridSpec& spec, comm::Communicator& comm,
                               const std::vector<std::string>& hosts) {
  results::Provenance p;
  p.grid_name = spec.name;
  p.grid_ini = spec.ini_text;
  const std::set<std::string> unique(hosts.begin(), hosts.end());
  p.hostnames.assign(unique.begin(), unique.end());
  p.world_size = comm.size();
  p.versions["kdbench"] = KDBENCH_VERSION;
  p.versions["git_sha"] = KDBENCH_GIT_SHA;
  p.versions["torch"] = TORCH_VERSION;
  p.versions["comm_backend"] = comm.backend();
  if (!comm.library_version().empty()) p.versions["mpi"] = comm.library_version();
  return p;
}

// A bad data file is bad input: found here, before anything is written (exit 2, one line), not
// as every task failing. Reads what every task reads (rank 0, once more): the headers, sizes
// and labels, and the subsets against the split.
void check_data(const grid::GridSpec& spec) {
  try {
    datasets::load(grid::data_config(spec));
  } catch (const ConfigError& e) {
    throw ConfigError(spec.path + ": [train] " + e.what());
  }
}

// Creates the artifacts root now, so an unwritable one is bad input (exit 2), not a failure
// of every task. Returns whether it was created here (then removed again if setup fails).
bool make_artifacts_root(const std::string& root) {
  std::error_code ec;
  const bool created = std::filesystem::create_directories(root, ec);
  if (ec || ::access(root.c_str(), W_OK) != 0)
    throw ConfigError(root + ": [grid] artifacts: cannot create or write this directory: " +
                      (ec ? ec.message() : std::strerror(errno)));
  return created;
}

// The writer's lock beside the results file (kdbench/results/results_lock.h); its directory is
// created first, as opening the results file would.
std::unique_ptr<results::ResultsLock> lock_results(const std::string& results_path,
                                                   const std::string& host) {
  const std::filesystem::path parent = std::filesystem::path(results_path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec)
    throw ConfigError(parent.string() + ": cannot create the results directory: " + ec.message());
  std::unique_ptr<results::ResultsLock> lock;
  try {
    lock = std::make_unique<results::ResultsLock>(results_path, host);
  } catch (const IoError& e) {
    throw ConfigError(std::string(e.what()) + " (the results file's directory must be writable)");
  }
  if (!lock->taken_over().empty()) spdlog::warn("{}", lock->taken_over());
  return lock;
}

}  // namespace

int run_grid(comm::Communicator& comm, const RunOptions& opts) {
  // Rank 0 validates everything and opens the results file before any rank starts work; the
  // others learn the outcome through the broadcast, so a bad grid exits every rank with code 2
  // and only rank 0 prints the error line.
  train::install_stop_handlers();
  const auto hosts = comm.all_gather(comm::hostname());
  std::string text;
  bool created_artifacts = false;
  std::unique_ptr<results::ResultsLock> lock;  // released on every return and exception
  std::unique_ptr<results::ResultsStore> store;
  grid::GridSpec spec;
  std::exception_ptr setup_error;
  int setup_code = kExitOk;
  if (comm.rank() == 0) {
    try {
      train::check_device_request(opts.device.device);
      if (opts.device.ranks_per_gpu < 0)
        throw ConfigError("--ranks-per-gpu: " + std::to_string(opts.device.ranks_per_gpu) +
                          " must be >= 0 (0 = round robin)");
      text = grid::read_grid_file(opts.grid_path);
      spec = parse(text, opts);
      grid::expand(spec);  // the checks across axes (TAKD assistant sizes) before any file
      check_data(spec);
      lock = lock_results(spec.results, hosts.front());
      created_artifacts = make_artifacts_root(spec.artifacts);
      store = std::make_unique<results::ResultsStore>(
          results::ResultsStore::open_or_create(spec.results, provenance(spec, comm, hosts)));
    } catch (const Error& e) {
      std::error_code ec;
      if (created_artifacts) std::filesystem::remove(spec.artifacts, ec);  // only if still empty
      setup_error = std::current_exception();
      setup_code = e.exit_code();
    }
  }
  std::string message = setup_error ? "error " + std::to_string(setup_code) : "ok\n" + text;
  comm.broadcast(message, 0);
  if (setup_error) std::rethrow_exception(setup_error);
  if (!starts_with(message, "ok\n")) return std::stoi(message.substr(6));
  if (comm.rank() != 0) spec = parse(message.substr(3), opts);
  const grid::TaskGraph full_graph = grid::expand(spec);
  const grid::TaskGraph graph =
      opts.shard_count > 0 ? grid::select_shard(full_graph, opts.shard_index, opts.shard_count)
                           : full_graph;
  const results::Artifacts artifacts(spec.artifacts);

  int exit_code = kExitOk;
  std::thread coordinator_thread;
  if (comm.rank() == 0) {
    spdlog::info("results: {}  artifacts: {}", spec.results, spec.artifacts);
    if (opts.shard_count > 0)
      spdlog::info("shard {}/{}: {} of the grid's {} tasks", opts.shard_index, opts.shard_count,
                   graph.tasks.size(), full_graph.tasks.size());
    coordinator_thread = std::thread([&] {
      try {
        exit_code = Coordinator(graph, *store, artifacts, comm).run();
      } catch (const std::exception& e) {
        // The coordinator cannot recover: end every rank instead of leaving them waiting.
        spdlog::critical("coordinator failed: {}; aborting the job", e.what());
        comm.abort(kExitInternal);
      }
    });
  }
  int worker_code = kExitOk;
  try {
    worker_code = run_worker(comm, spec, graph, artifacts, opts.device);
  } catch (const std::exception& e) {
    spdlog::critical("worker failed outside a task: {}; aborting the job", e.what());
    comm.abort(kExitInternal);
  }
  if (coordinator_thread.joinable()) coordinator_thread.join();
  if (comm.rank() == 0) spdlog::info("results written to {}", spec.results);
  return comm.rank() == 0 ? exit_code : worker_code;
}

}  // namespace kdbench::sched
