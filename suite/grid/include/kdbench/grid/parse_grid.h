#pragma once
// grid.ini -> GridSpec with Boost.Program_options. Every error is a ConfigError of one line that
// names the file, the [section] key and what is allowed; nothing is trained or written before
// the whole grid validated (models, methods and their parameters, data files).
#include <string>

#include "kdbench/grid/grid_spec.h"

namespace kdbench::grid {

struct ParseOptions {
  bool check_data_files = true;  // `kdbench plan` and runs check; unit tests of syntax may not
};

// The grid file's text; ConfigError naming the path and why it cannot be read (missing, a
// directory, not readable).
std::string read_grid_file(const std::string& path);
GridSpec parse_grid_file(const std::string& path, const ParseOptions& opts = {});
// `source` names the text in error messages (normally the file path).
GridSpec parse_grid_text(const std::string& text, const std::string& source,
                         const ParseOptions& opts = {});

}  // namespace kdbench::grid
