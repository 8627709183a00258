#pragma once
// Internal to kdbench_datasets: the permutation every train/validation split draws from.
#include <cstdint>
#include <vector>

namespace kdbench::datasets {

// 0..n-1 shuffled by a Fisher-Yates over mt19937_64(seed) with rejection sampling: the same seed
// gives the same permutation on every platform and standard library.
std::vector<int64_t> split_permutation(int64_t n, uint64_t seed);

}  // namespace kdbench::datasets
