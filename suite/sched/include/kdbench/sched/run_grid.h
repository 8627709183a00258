#pragma once
// One grid run on every rank of the communicator: rank 0 validates the grid and opens the results
// file, broadcasts the grid text (so every rank expands the identical DAG), starts the
// coordinator thread; every rank then runs a worker until told to stop.
#include <string>

#include "kdbench/comm/communicator.h"
#include "kdbench/sched/worker.h"

namespace kdbench::sched {

struct RunOptions {
  std::string grid_path;
  std::string results_path;  // overrides [grid] results when not empty
  int threads = 0;           // overrides [train] threads when > 0
  int shard_index = 0;       // with shard_count > 0: run only shard shard_index of shard_count
  int shard_count = 0;       //   (grid/shard.h; Slurm job arrays); 0 = the whole grid
  DeviceRequest device;      // checked on rank 0 before anything is written
};

// Returns the exit code (errors.h): 0 all done, 1 some task failed, 2 bad grid.
int run_grid(comm::Communicator& comm, const RunOptions& opts);

}  // namespace kdbench::sched
