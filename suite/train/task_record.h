#pragma once
// Internal to kdbench_train: the record a task's run starts from (task_record.cpp).
#include <nlohmann/json.hpp>

#include "kdbench/grid/task_graph.h"
#include "kdbench/results/run_record.h"

namespace kdbench::train::detail {

// The resolved training configuration stored as the record's `config`.
nlohmann::json config_json(const grid::Task& task);
// task_record() plus the start time and config_json().
results::RunRecord initial_record(const grid::Task& task);

}  // namespace kdbench::train::detail
