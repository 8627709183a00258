// libFuzzer target: the CIFAR-10/100 binary reader (raw or gzip).
// Input: one flag byte (bit 0: CIFAR-100, bit 1: split the rest into two files at its middle, the
// way train batches come in several files), then the file contents.
// A DataError is the expected answer to bad data; anything else escaping is a finding.
#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kdbench/core/errors.h"
#include "kdbench/datasets/dataset.h"
#include "temp_file.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  torch::set_num_threads(1);  // one thread per fuzzer process: runs stay reproducible
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool cifar100 = data[0] & 1;
  const bool two_files = data[0] & 2;
  const size_t rest = size - 1;
  const size_t first = two_files ? rest / 2 : rest;
  kdbench::fuzz::TempFile a("cifar-a", data + 1, first);
  kdbench::fuzz::TempFile b("cifar-b", data + 1 + first, rest - first);
  std::vector<std::string> files{a.path()};
  if (two_files) files.push_back(b.path());
  try {
    const auto set = kdbench::datasets::read_cifar_bin(files, cifar100);
    const int64_t classes = cifar100 ? 100 : 10;
    if (set.images.dim() != 4 || set.images.size(1) != 3 || set.images.size(2) != 32 ||
        set.labels.size(0) != set.images.size(0) || set.labels.min().item<int64_t>() < 0 ||
        set.labels.max().item<int64_t>() >= classes) {
      __builtin_trap();
    }
  } catch (const kdbench::Error&) {
  }
  return 0;
}
