#include "kdbench/core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace kdbench {

void init_logging(int rank, int world_size, const std::string& level) {
  auto logger = spdlog::stderr_color_mt("kdbench-" + std::to_string(rank));
  // Rank prefix only matters when several ranks share one terminal or log file.
  const std::string prefix = world_size > 1 ? "[rank " + std::to_string(rank) + "] " : "";
  logger->set_pattern("[%H:%M:%S] " + prefix + "%^%l%$: %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace kdbench
