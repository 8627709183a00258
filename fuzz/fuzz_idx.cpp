// libFuzzer target: the IDX reader (MNIST / Fashion-MNIST images + labels, raw or gzip).
// Input: two bytes choosing where to split, then the images file, then the labels file.
// A DataError is the expected answer to bad data; anything else escaping is a finding.
#include <torch/torch.h>

#include <cstddef>
#include <cstdint>

#include "kdbench/core/errors.h"
#include "kdbench/datasets/dataset.h"
#include "temp_file.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  torch::set_num_threads(1);  // one thread per fuzzer process: runs stay reproducible
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t rest = size - 2;
  const size_t split = ((size_t{data[0]} << 8) | data[1]) % (rest + 1);
  kdbench::fuzz::TempFile images("images", data + 2, split);
  kdbench::fuzz::TempFile labels("labels", data + 2 + split, rest - split);
  try {
    const auto set = kdbench::datasets::read_idx(images.path(), labels.path());
    // What the reader accepted must be consistent: one int64 label in 0..9 per uint8 image.
    if (set.images.scalar_type() != torch::kUInt8 || set.images.dim() != 4 ||
        set.labels.size(0) != set.images.size(0) || set.labels.min().item<int64_t>() < 0 ||
        set.labels.max().item<int64_t>() > 9) {
      __builtin_trap();
    }
  } catch (const kdbench::Error&) {
  }
  return 0;
}
