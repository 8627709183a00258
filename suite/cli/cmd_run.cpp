#include "commands.h"
#include "kdbench/comm/communicator.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/log.h"
#include "kdbench/grid/shard.h"
#include "kdbench/sched/run_grid.h"
#include "parse_args.h"

namespace kdbench::cli {

int cmd_run(const Args& args, int* argc, char*** argv) {
  po::options_description opts;
  opts.add_options()("results", po::value<std::string>()->default_value(""),
                     "results file (overrides [grid] results)")(
      "threads", po::value<int>()->default_value(0),
      "intra-op threads per rank (default: cores / ranks on the node)")(
      "comm", po::value<std::string>()->default_value("auto"), "auto | single | mpi")(
      "log-level", po::value<std::string>()->default_value("info"), "trace debug info warn error")(
      "shard", po::value<std::string>()->default_value(""),
      "I/K: run only shard I of K (Slurm job arrays)")(
      "device", po::value<std::string>()->default_value("auto"),
      "auto | cpu | cuda (auto: CUDA when LibTorch sees a GPU)")(
      "ranks-per-gpu", po::value<int>()->default_value(0),
      "R: R consecutive ranks of a node share each GPU (default 0: round robin)");
  const auto vm = parse_args("run", args, opts, "grid");
  const std::string level = vm["log-level"].as<std::string>();
  if (level != "trace" && level != "debug" && level != "info" && level != "warn" &&
      level != "error")
    throw ConfigError("--log-level: '" + level + "' is not one of trace|debug|info|warn|error");
  // Checked before MPI starts: a bad --shard ends the run before any rank waits for another.
  const std::string shard = vm["shard"].as<std::string>();
  const grid::ShardSpec shard_spec =
      shard.empty() ? grid::ShardSpec{} : grid::parse_shard_spec(shard);
  auto comm = comm::make_communicator(vm["comm"].as<std::string>(), argc, argv);
  init_logging(comm->rank(), comm->size(), vm["log-level"].as<std::string>());
  sched::RunOptions run;
  run.grid_path = vm["grid"].as<std::string>();
  run.results_path = vm["results"].as<std::string>();
  run.threads = vm["threads"].as<int>();
  run.shard_index = shard_spec.index;
  run.shard_count = shard_spec.count;
  run.device.device = vm["device"].as<std::string>();
  run.device.ranks_per_gpu = vm["ranks-per-gpu"].as<int>();
  if (run.threads < 0) throw ConfigError("kdbench run: --threads must be >= 0");
  // Errors surface on rank 0 only (the others return the same code quietly); main prints them.
  return sched::run_grid(*comm, run);
}

}  // namespace kdbench::cli
