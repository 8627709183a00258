// `kdbench slurm GRID.ini --nodes N --gpus-per-node G ...`: writes a requeue-safe sbatch script
// (suite/slurm/sbatch_script.h; slurm/README.md explains every line). The grid and every value
// are checked before anything is written: a bad value is one ConfigError line, exit 2, no file.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/shard.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/slurm/sbatch_script.h"
#include "parse_args.h"

namespace fs = std::filesystem;

namespace kdbench::cli {
namespace {

// Integers are read as text so that "--nodes -3" reaches validate() (and its message) instead of
// being taken for an option by Boost.PO; parse_int names the option on malformed text.
int int_option(const po::variables_map& vm, const std::string& name, int fallback) {
  if (!vm.count(name)) return fallback;
  const int64_t value = parse_int(vm[name].as<std::string>(), "--" + name);
  if (value < -1000000000 || value > 1000000000)
    throw ConfigError("--" + name + ": '" + vm[name].as<std::string>() + "' is out of range");
  return static_cast<int>(value);
}

std::string text_option(const po::variables_map& vm, const std::string& name,
                        const std::string& fallback = "") {
  return vm.count(name) ? vm[name].as<std::string>() : fallback;
}

std::string this_executable() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw IoError("cannot resolve the kdbench executable (/proc/self/exe): " + ec.message());
  return exe.string();
}

std::string default_out_path(const std::string& grid_path) {
  return fs::path(grid_path).stem().string() + ".sbatch";
}

// tmp + rename in the target directory, mode 0755: a reader never sees half a script.
void write_script(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw IoError(path + ": cannot write the sbatch script (" + tmp + ")");
    out << text;
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      throw IoError(path + ": writing the sbatch script failed");
    }
  }
  if (::chmod(tmp.c_str(), 0755) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw IoError(path + ": cannot move the sbatch script into place");
  }
}

po::options_description slurm_options() {
  po::options_description opts;
  auto text = [] { return po::value<std::string>(); };
  opts.add_options()("nodes", text(), "nodes")("gpus-per-node", text(),
                                               "GPUs per node, one rank each")(
      "ranks-per-gpu", text(), "ranks sharing each GPU (default 1)")(
      "device", text(), "cuda | auto | cpu: --device of every rank (default cuda with GPUs)")(
      "ntasks-per-node", text(), "ranks per node (default: GPUs per node, or 1)")(
      "cpus-per-task", text(), "cores per rank")("time", text(), "time limit")(
      "partition", text(), "partition")("account", text(), "account")("qos", text(), "QoS")(
      "mem", text(), "memory per node")("mpi", text(), "pmix | none")(
      "modules", text(), "module load list")("signal-seconds", text(),
                                             "USR1 warning before the time limit")(
      "max-requeues", text(), "self-requeues")("mode", text(), "mpi | array")(
      "shards", text(), "array mode: number of shards")("results", text(),
                                                        "results file (overrides [grid] results)")(
      "log-dir", text(), "job log directory")("job-name", text(), "job name")(
      "out", text(), "script path, '-' for stdout");
  return opts;
}

}  // namespace

int cmd_slurm(const Args& args) {
  const auto vm = parse_args("slurm", args, slurm_options(), "grid");
  slurm::SlurmOptions o;
  o.grid_path = vm["grid"].as<std::string>();
  // The grid first: a grid that does not validate never gets a script.
  const grid::GridSpec spec = grid::parse_grid_file(o.grid_path);
  const grid::TaskGraph graph = grid::expand(spec);

  o.kdbench_path = this_executable();
  o.nodes = int_option(vm, "nodes", o.nodes);
  o.gpus_per_node = int_option(vm, "gpus-per-node", o.gpus_per_node);
  o.ranks_per_gpu = int_option(vm, "ranks-per-gpu", o.ranks_per_gpu);
  o.device = text_option(vm, "device");
  o.tasks_per_node = int_option(vm, "ntasks-per-node", o.tasks_per_node);
  o.cpus_per_task = int_option(vm, "cpus-per-task", o.cpus_per_task);
  o.signal_seconds = int_option(vm, "signal-seconds", o.signal_seconds);
  o.max_requeues = int_option(vm, "max-requeues", o.max_requeues);
  o.shards = int_option(vm, "shards", o.shards);
  o.time = text_option(vm, "time");
  o.partition = text_option(vm, "partition");
  o.account = text_option(vm, "account");
  o.qos = text_option(vm, "qos");
  o.mem = text_option(vm, "mem");
  o.mpi = text_option(vm, "mpi", o.mpi);
  o.modules = text_option(vm, "modules");
  o.mode = text_option(vm, "mode", o.mode);
  o.log_dir = text_option(vm, "log-dir", o.log_dir);
  o.job_name = text_option(vm, "job-name");
  // mpi mode passes --results only when asked (the grid's own path applies otherwise); array
  // mode derives every shard's file from it.
  o.results_path = text_option(vm, "results", o.mode == "array" ? spec.results : "");
  const std::string out = text_option(vm, "out", default_out_path(o.grid_path));
  if (out.empty()) throw ConfigError("--out: empty path (give a file, or '-' for stdout)");

  const std::string script = slurm::make_sbatch_script(o);  // validates every value

  std::error_code ec;
  fs::create_directories(o.log_dir, ec);
  if (ec) throw IoError(o.log_dir + ": cannot create the log directory: " + ec.message());
  if (out == "-") {
    std::cout << script;
    return kExitOk;
  }
  write_script(out, script);

  std::cout << "wrote " << out << ": grid " << spec.name << " (" << graph.tasks.size()
            << " tasks), " << o.nodes << " node(s) x " << slurm::ranks_per_node(o) << " rank(s), "
            << (o.mpi == "pmix" ? "srun --mpi=pmix" : "mpirun");
  if (o.mode == "array") std::cout << ", job array of " << o.shards << " shards";
  std::cout << "\n";
  if (o.mode == "array") {
    const size_t components = grid::connected_components(graph).size();
    if (static_cast<size_t>(o.shards) > components)
      std::cout << "note: the grid has " << components << " independent parts; "
                << o.shards - components << " shard(s) will have nothing to do\n";
    std::cout << "collect: kdbench merge " << slurm::results_stem(o.results_path)
              << ".shard*.h5 -o " << o.results_path << "\n";
  }
  std::cout << "submit from " << fs::current_path().string() << ": sbatch " << out << "   (logs in "
            << o.log_dir
            << "/; watch: squeue, kdbench status; resubmit the same script to continue)\n";
  return kExitOk;
}

}  // namespace kdbench::cli
