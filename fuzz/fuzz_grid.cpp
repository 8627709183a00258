// libFuzzer target: grid.ini text -> parse_grid_text (syntax, keys, types, validation of models,
// methods and parameters) -> expand (the task graph). Data files are not checked: the fuzzer
// exercises the text, not the disk. A ConfigError (any kdbench Error) is the expected answer to a
// bad grid; anything else escaping (a Boost or std exception, a crash) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  kdbench::grid::ParseOptions opts;
  opts.check_data_files = false;
  try {
    const auto spec = kdbench::grid::parse_grid_text(text, "fuzz.ini", opts);
    kdbench::grid::expand(spec);
  } catch (const kdbench::Error&) {
  }
  return 0;
}
