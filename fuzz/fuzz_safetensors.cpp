// libFuzzer target: the safetensors reader (Hugging Face weight files, for text encoders' init).
// Input: the file's bytes. A DataError is the expected answer to bad data; anything else escaping
// is a finding, and so is an accepted file whose tensors disagree with their entries.
#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "kdbench/core/errors.h"
#include "kdbench/models/safetensors.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  torch::set_num_threads(1);  // one thread per fuzzer process: runs stay reproducible
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto f = kdbench::models::SafetensorsFile::parse(
        std::string(reinterpret_cast<const char*>(data), size), "fuzz.safetensors");
    for (const auto& e : f.entries()) {
      const auto t = f.tensor(e.name);
      if (t.sizes().vec() != e.shape || e.end < e.begin) __builtin_trap();
    }
  } catch (const kdbench::Error&) {
  }
  return 0;
}
