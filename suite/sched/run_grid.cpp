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
#include <vector>

#include "kdbench/core/errors.h"
#include "kdbench/core/log.h"
#include "kdbench/core/strings.h"
#include "kdbench/core/version.h"
#include "kdbench/datasets/dataset.h"
#include "kdbench/datasets/text_data.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/shard.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/methods/mate.h"
#include "kdbench/models/bert.h"
#include "kdbench/models/bert_mlm.h"
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
void check_text(const datasets::DataConfig& cfg) {
  const auto text = datasets::load_text(cfg);
  if (text.truncated > 0)
    spdlog::info("{}: {} examples are longer than max_seq_length = {} and are cut", cfg.dataset,
                 text.truncated, cfg.max_seq_length);
}

// [teacher|student] init = DIR, read against every model of the role, and [init] MODEL = DIR
// against its model, before anything runs: a missing or damaged directory, or one of another
// architecture, is exit 2 with one line.
void check_init_dirs(const grid::GridSpec& spec) {
  const auto check = [&](const grid::TrainConfig& c, const std::vector<std::string>& names) {
    if (c.init.empty()) return;
    for (const auto& name : names) {
      const auto net = models::make(name, grid::num_classes(spec), grid::input_shape(spec));
      try {
        models::init_from_hf_dir(dynamic_cast<models::BertClassifierImpl&>(*net), c.init);
      } catch (const Error& e) {
        throw DataError(spec.path + ": init = " + c.init + " for " + name + ": " + e.what());
      }
    }
  };
  // Models of [init] are checked against their own directory, not the role's.
  const auto without_own = [&](const std::vector<std::string>& names) {
    std::vector<std::string> rest;
    for (const auto& n : names)
      if (!spec.model_init.count(n)) rest.push_back(n);
    return rest;
  };
  check(spec.teacher, without_own(spec.teachers));
  check(spec.student, without_own(spec.students));
  for (const auto& [model, dir] : spec.model_init) {
    grid::TrainConfig c;
    c.init = dir;
    check(c, {model});
  }
  // Combined-KD's generator_init (text): loaded into its generator like an init directory.
  const auto it = spec.method_params.find("combined");
  if (it == spec.method_params.end() || !it->second.count("generator_init")) return;
  const std::string dir = it->second.at("generator_init");
  const std::string generator =
      it->second.count("generator") ? it->second.at("generator") : methods::MateParams{}.generator;
  try {
    models::BertConfig config = models::BertConfig::from_name(generator);
    config.vocab_size = grid::input_shape(spec).vocab_size;
    models::BertMaskedLMImpl net(config);
    models::init_from_hf_dir(net, dir);
  } catch (const Error& e) {
    throw DataError(spec.path + ": [method.combined] generator_init = " + dir + " for " +
                    generator + ": " + e.what());
  }
}

void check_data(const grid::GridSpec& spec) {
  check_init_dirs(spec);
  try {
    const auto cfg = grid::data_config(spec);
    if (!datasets::info(cfg.dataset).is_text()) {
      datasets::load(cfg);
    } else if (cfg.tokenizer == "sentencepiece") {
      datasets::check_text_files(cfg);  // read through its model once that exists
    } else {
      check_text(cfg);
    }
  } catch (const ConfigError& e) {
    throw ConfigError(spec.path + ": [train] " + e.what());
  }
}

// tokenizer = sentencepiece, once the artifacts directory exists: the grid's model (trained here
// unless an earlier job made it), then the data read through it as check_data reads the rest.
void prepare_sentencepiece(const grid::GridSpec& spec) {
  const auto cfg = grid::data_config(spec);
  if (!datasets::info(cfg.dataset).is_text() || cfg.tokenizer != "sentencepiece") return;
  try {
    if (!std::filesystem::exists(cfg.vocab)) {
      datasets::prepare_tokenizer(cfg);
      spdlog::info("SentencePiece vocabulary of {} pieces trained on the training split: {}",
                   cfg.vocab_size, cfg.vocab);
    }
    check_text(cfg);
  } catch (const ConfigError& e) {
    throw ConfigError(spec.path + ": [train] " + e.what());
  }
}

// Creates `dir` (and its parents) unless it exists, so an unwritable results or artifacts path is
// bad input (exit 2) found at start, not a failure of every task. A directory made here is
// recorded in `made`, and removed again (when still empty) if setup fails later.
void make_writable_dir(const std::string& dir, const std::string& key,
                       std::vector<std::string>& made) {
  if (dir.empty()) return;
  std::error_code ec;
  if (std::filesystem::create_directories(dir, ec)) made.push_back(dir);
  if (ec || ::access(dir.c_str(), W_OK) != 0)
    throw ConfigError(dir + ": " + key + ": cannot create or write this directory: " +
                      (ec ? ec.message() : std::strerror(errno)));
}

// The writer's lock beside the results file (kdbench/results/results_lock.h).
std::unique_ptr<results::ResultsLock> lock_results(const std::string& results_path,
                                                   const std::string& host) {
  auto lock = std::make_unique<results::ResultsLock>(results_path, host);
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
  std::vector<std::string> made_dirs;
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
      make_writable_dir(std::filesystem::path(spec.results).parent_path().string(),
                        "[grid] results", made_dirs);
      make_writable_dir(spec.artifacts, "[grid] artifacts", made_dirs);
      prepare_sentencepiece(spec);
      lock = lock_results(spec.results, hosts.front());
      store = std::make_unique<results::ResultsStore>(
          results::ResultsStore::open_or_create(spec.results, provenance(spec, comm, hosts)));
    } catch (const Error& e) {
      lock.reset();
      std::error_code ec;
      for (auto dir = made_dirs.rbegin(); dir != made_dirs.rend(); ++dir)
        std::filesystem::remove(*dir, ec);  // only if still empty
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
        SchedulerOptions scheduling = SchedulerOptions::of(spec);
        // The cost model's prior; the device of the first measured epochs replaces it.
        scheduling.device_kind = opts.device.device == "cuda" || (opts.device.device == "auto" &&
                                                                  torch::cuda::is_available())
                                     ? "cuda"
                                     : "cpu";
        exit_code =
            Coordinator(graph, *store, artifacts, comm, FailurePolicy::of(spec), scheduling).run();
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
