#pragma once
// Generation of requeue-safe sbatch scripts for `kdbench slurm grid.ini ...` (docs/design.md §1).
// Pure functions: no I/O, no environment. The CLI fills SlurmOptions from argv (resolving the
// kdbench binary and the grid's results path), calls make_sbatch_script() and writes the text
// to --out or stdout. slurm/README.md documents every line of the generated script.
#include <string>

namespace kdbench::slurm {

struct SlurmOptions {
  // What to run.
  std::string grid_path;     // the grid.ini as the user named it (relative to the submit dir)
  std::string kdbench_path;  // absolute path of the kdbench executable
  std::string results_path;  // results .h5; required in array mode (shards derive from it),
                             // optional in mpi mode (passed as --results when given)
  std::string log_dir = "slurm-logs";  // #SBATCH --output goes here; must exist at submit time
  std::string job_name;                // empty: kdbench-<grid file name without .ini>

  // Allocation.
  int nodes = 1;
  int gpus_per_node = 0;   // 0: CPU-only job (no --gpus-per-node line)
  int ranks_per_gpu = 0;   // 0: not given (one rank per GPU); R: R ranks share each GPU
  int tasks_per_node = 0;  // 0: gpus_per_node x ranks_per_gpu, or 1 when gpus_per_node is 0
  // Passed to every rank as --device when GPUs are requested; empty: "cuda" with GPUs, nothing
  // without. "auto" or "cpu" for nodes whose GPUs kdbench should not use.
  std::string device;
  int cpus_per_task = 1;
  std::string time;       // [D-]HH:MM:SS, D-HH[:MM], MM:SS or minutes; empty: site default
  std::string partition;  // empty: site default (likewise account, qos, mem)
  std::string account;
  std::string qos;
  std::string mem;  // per node, e.g. 16G or 4000M

  // Launch and restarts.
  std::string mpi = "pmix";  // pmix: srun --mpi=pmix; none: mpirun inside the allocation
  std::string modules;       // space-separated `module load` names, e.g. "gcc/12 openmpi/4.1"
  int signal_seconds = 120;  // USR1 this long before the time limit: checkpoint and requeue
  int max_requeues = 5;      // self-requeues after USR1 before asking for a manual resubmit
  std::string mode = "mpi";  // mpi: one job, every rank; array: one array task per shard
  int shards = 0;            // array mode: number of shards (array tasks), required
};

// Throws kdbench::ConfigError with one line naming the option (as spelled on the command line,
// e.g. "--partition") and what is allowed. make_sbatch_script() calls it first.
void validate(const SlurmOptions& options);

// The complete sbatch script (bash), every value single-quoted in the body.
std::string make_sbatch_script(const SlurmOptions& options);

// Ranks per node: --ntasks-per-node when given, else one rank per GPU times --ranks-per-gpu,
// else 1.
int ranks_per_node(const SlurmOptions& options);

// POSIX single-quote quoting: the result is one shell word whose value is exactly `text`.
std::string shell_quote(const std::string& text);

// Whether `text` is a Slurm time limit this generator accepts ([D-]HH:MM:SS, D-HH, D-HH:MM,
// MM:SS, minutes); on success *seconds (if given) receives the limit in seconds.
bool parse_time_limit(const std::string& text, long long* seconds = nullptr);

// "results/study.h5" -> "results/study"; array task I writes <stem>.shardI.h5.
std::string results_stem(const std::string& results_path);

// kdbench-<grid file name without directories and .ini>, characters outside [A-Za-z0-9_.+-]
// replaced by '_' so it is a valid #SBATCH --job-name.
std::string default_job_name(const std::string& grid_path);

}  // namespace kdbench::slurm
