// libFuzzer target: a `kdbench report --paper-numbers` CSV file -> reports::read_paper_numbers
// (header, RFC 4180 quoting, fields, accuracy range, duplicate setups). A ConfigError is the
// expected answer to a bad file; every number it accepts must satisfy what the reader promises
// (required fields present, accuracy in [0, 100], assistants only on takd), or that is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "kdbench/core/errors.h"
#include "kdbench/reports/paper_numbers.h"
#include "temp_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const kdbench::fuzz::TempFile file("paper-numbers.csv", data, size);
  try {
    for (const auto& n : kdbench::reports::read_paper_numbers(file.path())) {
      const bool ok = !n.dataset.empty() && !n.teacher.empty() && !n.student.empty() &&
                      !n.method.empty() && !n.source.empty() && n.accuracy >= 0 &&
                      n.accuracy <= 100 && (n.assistants.empty() || n.method == "takd");
      if (!ok) std::abort();
    }
  } catch (const kdbench::Error&) {
  }
  return 0;
}
