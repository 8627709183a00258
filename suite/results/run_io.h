#pragma once
// Internal to kdbench_results: one run as the HDF5 group /runs/<key> (docs/design.md §6.1), written
// and read by iterating run_record_fields.h. Scalars are attributes; JSON-valued fields
// (method_params, chain, config, checkpoints) are JSON text; the per-epoch curves are 1-D
// datasets of length = finished epochs (possibly 0).
#include <H5Cpp.h>

#include <cstdint>
#include <string>

#include "kdbench/results/run_record.h"

namespace kdbench::results::run_io {

// Index of the run's row in /summary, so a replaced run overwrites its row instead of adding one.
constexpr const char* kSummaryRowAttr = "summary_row";

void write_run(const H5::Group& g, const RunRecord& r, int64_t summary_row);
// IoError naming /runs/<key> and the attribute/dataset that is missing or malformed.
RunRecord read_run(const H5::Group& g, const std::string& key);

}  // namespace kdbench::results::run_io
