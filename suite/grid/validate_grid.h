#pragma once
// Cross-field checks of a grid whose keys each read correctly (parse_grid.cpp): what one key
// allows depends on another. Every error is a one-line ConfigError naming the file, the
// [section] key, the value and what is allowed.
#include "ini_values.h"
#include "kdbench/grid/grid_spec.h"

namespace kdbench::grid {

// `values` are the entries `grid` was read from: epoch lists are checked as written, and they
// tell which section set a layered key.
// Checks: data_dir for datasets without a default; method and TAKD link parameters against the
// student's epochs and the dataset's classes; teachers when a method needs one; teacher
// checkpoints and lr_milestones within the role's epochs.
void validate_grid(const GridSpec& grid, const IniValues& values);

}  // namespace kdbench::grid
