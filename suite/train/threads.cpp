#include "kdbench/train/threads.h"

#include <ATen/Parallel.h>
#include <malloc.h>

#include <algorithm>
#include <thread>

namespace kdbench {

int choose_intra_op_threads(int requested, int ranks_on_node) {
  if (requested > 0) return requested;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(1, cores / std::max(1, ranks_on_node));
}

int apply_intra_op_threads(int threads) {
  at::set_num_threads(threads);
  return at::get_num_threads();
}

void keep_tensor_buffers_in_heap() {
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace kdbench
