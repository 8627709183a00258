// "[rank R@HOST] " in front of errors that leave a rank of a multi-rank job, nothing on one rank
// (so the messages of plain `kdbench` stay exactly as they were).
#include <gtest/gtest.h>
#include <stdlib.h>

#include "kdbench/comm/communicator.h"
#include "kdbench/comm/single_process.h"
#include "local_cluster.h"

using namespace kdbench;

TEST(ErrorOrigin, NamesRankAndHostOnlyInAMultiRankWorld) {
  comm::SingleProcessCommunicator single;
  EXPECT_EQ(comm::origin_prefix(single), "");
  sched_test::LocalCluster cluster(3);
  EXPECT_EQ(comm::origin_prefix(cluster.rank(1)), "[rank 1@" + comm::hostname() + "] ");
  EXPECT_EQ(comm::origin_prefix(cluster.rank(0)), "[rank 0@" + comm::hostname() + "] ");
}

// One test for the whole process-wide sequence: the launcher's environment counts only until a
// communicator exists, then the communicator's world does.
TEST(ErrorOrigin, MainUsesTheLauncherUntilACommunicatorExists) {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK",
                          "PMI_SIZE", "SLURM_STEP_NUM_TASKS"})
    unsetenv(var);
  EXPECT_EQ(comm::process_origin_prefix(), "");  // not launched by MPI
  // Before MPI starts (a bad option), under `mpirun -np 2`: every rank reports, each by name.
  setenv("OMPI_COMM_WORLD_RANK", "1", 1);
  setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
  EXPECT_EQ(comm::process_origin_prefix(), "[rank 1@" + comm::hostname() + "] ");
  setenv("OMPI_COMM_WORLD_SIZE", "1", 1);  // `mpirun -np 1`: one rank, no prefix
  EXPECT_EQ(comm::process_origin_prefix(), "");
  unsetenv("OMPI_COMM_WORLD_RANK");
  unsetenv("OMPI_COMM_WORLD_SIZE");
  // srun --mpi=pmix: PMIx gives the rank, Slurm the size of the step.
  setenv("PMIX_RANK", "3", 1);
  setenv("SLURM_STEP_NUM_TASKS", "4", 1);
  EXPECT_EQ(comm::process_origin_prefix(), "[rank 3@" + comm::hostname() + "] ");
  // `--comm single` under a launcher: the world is the one communicator, of size 1.
  auto single = comm::make_communicator("single", nullptr, nullptr);
  EXPECT_EQ(comm::process_origin_prefix(), "");
  unsetenv("PMIX_RANK");
  unsetenv("SLURM_STEP_NUM_TASKS");
}
