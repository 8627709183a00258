#pragma once
// Splitting a task DAG into K independent shards, for clusters without multi-node MPI: each
// Slurm array task runs `kdbench grid.ini --shard I/K` into its own results file, and
// `kdbench merge` joins the files afterwards.
//
// A shard holds whole connected components of the DAG (a teacher with all its assistants and
// students; a dependency-free task such as a nokd baseline is a component of its own), so no
// shard ever waits for another and no task is trained twice. Components go to shards by cost
// with LPT scheduling: largest first, each to the currently least-loaded shard. The split depends
// only on the graph, so every array task computes the same one.
#include <string>
#include <vector>

#include "kdbench/grid/task_graph.h"

namespace kdbench::grid {

struct ShardSpec {
  int index = 0;  // 0-based
  int count = 0;  // 0: no sharding (the whole graph)
};

// Parses "I/K" (as given to --shard): ConfigError naming --shard unless 0 <= I < K.
ShardSpec parse_shard_spec(const std::string& text);

// The connected components of the DAG (dependencies taken as undirected edges), each a list of
// task keys in graph order; components ordered by their first task.
std::vector<std::vector<std::string>> connected_components(const TaskGraph& graph);

// Shard `index` of `count`: the tasks of the components assigned to it, in graph order (so
// dependencies still precede dependents). The union over index = 0..count-1 is the whole graph
// and shards are disjoint; a shard may be empty when count exceeds the number of components.
// ConfigError naming --shard unless count >= 1 and 0 <= index < count.
TaskGraph select_shard(const TaskGraph& graph, int index, int count);

}  // namespace kdbench::grid
