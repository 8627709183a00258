// libFuzzer target: the run-record JSON that workers send to the coordinator (record_from_json).
// Text that is not JSON is nlohmann's business and skipped; a JSON value that is not a valid
// record must give an IoError (any kdbench Error). A record that was accepted must survive the
// round trip the coordinator relies on: to_json then record_from_json gives the same JSON.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "kdbench/core/errors.h"
#include "kdbench/results/run_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  kdbench::results::RunRecord record;
  try {
    record = kdbench::results::record_from_json(j);
  } catch (const kdbench::Error&) {
    return 0;
  }
  const auto once = kdbench::results::to_json(record);
  const auto twice = kdbench::results::to_json(kdbench::results::record_from_json(once));
  if (once.dump() != twice.dump()) __builtin_trap();
  return 0;
}
