#pragma once
// The worker loop every rank runs (rank 0 too, beside its coordinator thread): ask for a task,
// train it, send the record back. An exception inside a task becomes a FAILED record with its
// message and the worker goes on; a communication failure ends the whole job (no hanging ranks).
#include "kdbench/comm/communicator.h"
#include "kdbench/grid/grid_spec.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/results/artifacts.h"

namespace kdbench::sched {

// Returns the job's exit code sent by the coordinator with the stop message.
int run_worker(comm::Communicator& comm, const grid::GridSpec& grid, const grid::TaskGraph& graph,
               const results::Artifacts& artifacts);

}  // namespace kdbench::sched
