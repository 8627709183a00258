#pragma once
// Where scripts/fetch-text-data.sh put the text data: $KDBENCH_TEXT_DATA (set by ctest for the
// test_text.needs-textdata entry, which runs the fetch first), else <build>/text-data.
#include <cstdlib>
#include <string>

inline std::string text_data_dir() {
  const char* dir = std::getenv("KDBENCH_TEXT_DATA");
  return dir != nullptr && *dir != '\0' ? dir : std::string(KDBENCH_BINARY_DIR) + "/text-data";
}
