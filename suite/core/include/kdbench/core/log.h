#pragma once
// Logging through spdlog with the MPI rank in every line (docs/design.md §7).
#include <spdlog/spdlog.h>

namespace kdbench {

// Installs the default logger "[rank r] message"; level from "info", "debug", "warn", ...
void init_logging(int rank, int world_size, const std::string& level = "info");

}  // namespace kdbench
