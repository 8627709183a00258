// kdbench: distributed knowledge-distillation benchmark suite.
//   kdbench [run] GRID.ini [options]    train every task of the grid (under mpirun/srun or alone)
//   kdbench plan GRID.ini               list the tasks, dependencies and cost; trains nothing
//   kdbench status RESULTS.h5           done / running / failed per task
//   kdbench report RESULTS.h5 --out DIR LaTeX/CSV tables of the study
//   kdbench slurm GRID.ini --nodes N ...  write a requeue-safe sbatch script (slurm/README.md)
//   kdbench merge A.h5 B.h5 ... -o OUT.h5 join results files (e.g. the shards of a job array)
//   kdbench text-data FETCHED [OUT]     text corpora → GLUE-layout TSVs (docs/text.md)
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"
#include "kdbench/comm/communicator.h"
#include "kdbench/comm/nccl.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/version.h"

namespace {

const char* kUsage =
    "usage: kdbench [run] GRID.ini [--results PATH] [--threads N] [--comm auto|single|mpi] "
    "[--log-level L]\n"
    "                              [--shard I/K]\n"
    "       kdbench plan GRID.ini [--results PATH] [--ranks N] [--device cpu|cuda]\n"
    "       kdbench status RESULTS.h5\n"
    "       kdbench report RESULTS.h5 --out DIR [--metric "
    "test_at_best_val|best_val|final_test|best_test]\n"
    "                      [--teachers a,b] [--students a,b] [--methods a,b] [--paper] "
    "[--pdf|--no-pdf]\n"
    "       kdbench slurm GRID.ini [--nodes N] [--gpus-per-node G] [--ranks-per-gpu R] "
    "[--device cuda|auto|cpu]\n"
    "                     [--ntasks-per-node T] "
    "[--cpus-per-task C]\n"
    "                     [--time T] [--partition P] [--account A] [--qos Q] [--mem M] [--mpi "
    "pmix|none]\n"
    "                     [--modules \"a b\"] [--signal-seconds S] [--max-requeues K] [--mode "
    "mpi|array]\n"
    "                     [--shards K] [--results PATH] [--log-dir D] [--job-name J] [--out "
    "FILE|-]\n"
    "       kdbench merge A.h5 B.h5 ... -o OUT.h5\n"
    "       kdbench text-data FETCHED_DIR [OUT_DIR]\n"
    "       kdbench --version | --help\n"
    "Exit codes: 0 done, 1 some task failed, 2 invalid input, 3 interrupted (rerun to resume), 4 "
    "internal error.\n";

// One write per line: std::cerr is unbuffered, so `<<` pieces are separate writes, and under
// mpirun two ranks' pieces interleaved on the terminal ("[rank 1@h] [rank 0@h] kdbench: ...").
void print_error_line(const std::string& text) {
  const std::string line = kdbench::comm::process_origin_prefix() + text + "\n";
  std::cerr.write(line.data(), static_cast<std::streamsize>(line.size()));
  std::cerr.flush();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? kdbench::kExitUserError : kdbench::kExitOk;
  }
  if (args[0] == "--version") {
    std::cout << "kdbench " << KDBENCH_VERSION << " (" << KDBENCH_GIT_SHA << ")\n";
    // The GPU data plane of gangs, when built (cmake/KdbenchNccl.cmake).
    if (kdbench::comm::nccl_built())
      std::cout << "gang data plane: " << kdbench::comm::nccl_version() << "\n";
    return kdbench::kExitOk;
  }
  const std::string command = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (command == "run") return kdbench::cli::cmd_run(rest, &argc, &argv);
    if (command == "plan") return kdbench::cli::cmd_plan(rest);
    if (command == "status") return kdbench::cli::cmd_status(rest);
    if (command == "report") return kdbench::cli::cmd_report(rest);
    if (command == "slurm") return kdbench::cli::cmd_slurm(rest);
    if (command == "merge") return kdbench::cli::cmd_merge(rest);
    if (command == "text-data") return kdbench::cli::cmd_text_data(rest);
    if (command.rfind("-", 0) == 0)
      throw kdbench::ConfigError("unknown option '" + command + "' (see kdbench --help)");
    // `kdbench grid.ini` = `kdbench run grid.ini`
    return kdbench::cli::cmd_run(args, &argc, &argv);
  } catch (const kdbench::Error& e) {
    // Under mpirun every rank may print: "[rank R@HOST] " says which one (nothing on 1 rank).
    print_error_line("kdbench: error: " + std::string(e.what()));
    return e.exit_code();
  } catch (const std::exception& e) {
    print_error_line("kdbench: internal error: " + std::string(e.what()));
    return kdbench::kExitInternal;
  }
}
