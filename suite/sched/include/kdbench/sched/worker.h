#pragma once
// The worker loop every rank runs (rank 0 too, beside its coordinator thread): ask for a task,
// train it, send the record back. An exception inside a task becomes a FAILED record with its
// message and the worker goes on; a communication failure ends the whole job (no hanging ranks).
#include "kdbench/comm/communicator.h"
#include "kdbench/grid/grid_spec.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/results/artifacts.h"

namespace kdbench::sched {

// kdbench run --device and --ranks-per-gpu (kdbench/train/device.h).
struct DeviceRequest {
  std::string device = "auto";  // auto | cpu | cuda
  int ranks_per_gpu = 0;        // 0: round robin over the node's GPUs
};

// Returns the job's exit code sent by the coordinator with the stop message.
int run_worker(comm::Communicator& comm, const grid::GridSpec& grid, const grid::TaskGraph& graph,
               const results::Artifacts& artifacts, const DeviceRequest& device = {});

}  // namespace kdbench::sched
