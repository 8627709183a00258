#include <atomic>
#include <cstdlib>

#include "kdbench/comm/communicator.h"
#include "kdbench/comm/nccl.h"
#include "kdbench/comm/single_process.h"
#include "kdbench/core/errors.h"

namespace kdbench::comm {
namespace {

// The world of the last make_communicator, read by process_origin_prefix (size 0: none yet).
std::atomic<int> world_rank{0};
std::atomic<int> world_size{0};

std::unique_ptr<Communicator> remember_world(std::unique_ptr<Communicator> comm) {
  world_rank = comm->rank();
  world_size = comm->size();
  return comm;
}

// The first of `vars` that is set and holds an integer; -1 if none does.
int env_int(std::initializer_list<const char*> vars) {
  for (const char* var : vars) {
    const char* text = std::getenv(var);
    if (!text || !*text) continue;
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (*end == '\0') return static_cast<int>(value);
  }
  return -1;
}

std::string prefix(int rank, int size) {
  if (size <= 1) return "";
  return "[rank " + std::to_string(rank) + "@" + hostname() + "] ";
}

}  // namespace

#ifdef KDBENCH_HAVE_MPI
std::unique_ptr<Communicator> make_mpi_communicator(int* argc, char*** argv);
bool mpi_built() { return true; }
#else
bool mpi_built() { return false; }
#endif

#ifndef KDBENCH_HAVE_NCCL
bool nccl_built() { return false; }
std::string nccl_version() { return ""; }
std::unique_ptr<Communicator> make_nccl_gang(Communicator&, int) {
  throw CommError(
      "this kdbench was built without NCCL (nccl.h, libnccl and the CUDA runtime were not found "
      "at configure time, or KDBENCH_WITH_NCCL=OFF)");
}
#endif

bool launched_by_mpi() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"})
    if (std::getenv(var)) return true;
  return false;
}

std::unique_ptr<Communicator> make_communicator(const std::string& backend, int* argc,
                                                char*** argv) {
  const bool want_mpi = backend == "mpi" || (backend == "auto" && launched_by_mpi());
  if (backend != "auto" && backend != "mpi" && backend != "single")
    throw ConfigError("--comm: '" + backend + "' is not allowed (allowed: auto single mpi)");
  if (!want_mpi) return remember_world(std::make_unique<SingleProcessCommunicator>());
#ifdef KDBENCH_HAVE_MPI
  return remember_world(make_mpi_communicator(argc, argv));
#else
  throw ConfigError(
      "this kdbench was built without MPI (KDBENCH_WITH_MPI=OFF) but was launched "
      "by an MPI launcher or asked for --comm mpi");
#endif
}

std::string origin_prefix(const Communicator& comm) { return prefix(comm.rank(), comm.size()); }

std::string process_origin_prefix() {
  if (world_size > 0) return prefix(world_rank, world_size);
  if (!launched_by_mpi()) return "";
  // Open MPI's mpirun, PMI(-2) launchers, and srun --mpi=pmix (whose PMIx has no size variable).
  const int rank = env_int({"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"});
  const int size = env_int({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"});
  return rank < 0 ? "" : prefix(rank, size);
}

}  // namespace kdbench::comm
