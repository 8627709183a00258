#include <cstdlib>

#include "kdbench/comm/communicator.h"
#include "kdbench/comm/single_process.h"
#include "kdbench/core/errors.h"

namespace kdbench::comm {

#ifdef KDBENCH_HAVE_MPI
std::unique_ptr<Communicator> make_mpi_communicator(int* argc, char*** argv);
bool mpi_built() { return true; }
#else
bool mpi_built() { return false; }
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
  if (!want_mpi) return std::make_unique<SingleProcessCommunicator>();
#ifdef KDBENCH_HAVE_MPI
  return make_mpi_communicator(argc, argv);
#else
  throw ConfigError("this kdbench was built without MPI (KDBENCH_WITH_MPI=OFF) but was launched "
                    "by an MPI launcher or asked for --comm mpi");
#endif
}

}  // namespace kdbench::comm
