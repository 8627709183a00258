// kdbench_allreduce_bench: milliseconds per comm::Communicator::all_reduce (sum) of one flat
// float32 buffer, the gradient all-reduce of a data-parallel gang, on the CPU backend.
// Sizes: resnet20's parameter count (CIFAR, 10 classes) and BERT-base's ~110M, or --floats N.
// Each size: --warmup calls, then --reps timed calls, each timed alone between barriers; rank 0
// prints the median and the minimum.
//
// usage: mpirun -np 2 kdbench_allreduce_bench [--floats N] [--reps 7] [--warmup 2]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "bench_stats.h"
#include "kdbench/comm/communicator.h"
#include "kdbench/core/shape.h"
#include "kdbench/models/models.h"

namespace {

using kdbench::bench::BenchArgs;
using kdbench::bench::median;

constexpr int64_t kBertBaseParameters = 110'000'000;

int run(int argc, char** argv) {
  auto comm = kdbench::comm::make_communicator("auto", &argc, &argv);
  const BenchArgs args(argc, argv, "kdbench_allreduce_bench", {"floats", "reps", "warmup"});
  const long reps = args.positive("reps", 7);
  const long warmup = args.positive("warmup", 2);
  std::vector<std::pair<std::string, int64_t>> sizes;
  if (!args.text("floats", "").empty()) {
    sizes.emplace_back("custom", args.positive("floats", 1));
  } else {
    const auto resnet20 = kdbench::models::make("resnet20", 10, kdbench::InputShape{3, 32, 32});
    sizes.emplace_back("resnet20", kdbench::models::count_parameters(*resnet20));
    sizes.emplace_back("bert-base", kBertBaseParameters);
  }
  torch::set_num_threads(1);
  for (const auto& [name, floats] : sizes) {
    // Every rank holds its own gradients; the values do not change the time.
    at::Tensor buffer = torch::full({floats}, static_cast<float>(comm->rank() + 1));
    std::vector<double> ms;
    for (long i = 0; i < warmup + reps; ++i) {
      comm->barrier();
      const auto start = std::chrono::steady_clock::now();
      comm->all_reduce(buffer, kdbench::comm::ReduceOp::Sum);
      const double elapsed =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      if (i >= warmup) ms.push_back(elapsed);
    }
    if (comm->rank() == 0)
      std::printf(
          "allreduce ranks=%d backend=%s size=%s floats=%ld mib=%.1f reps=%ld "
          "ms_median=%.3f ms_min=%.3f\n",
          comm->size(), comm->backend().c_str(), name.c_str(), static_cast<long>(floats),
          static_cast<double>(floats) * 4.0 / (1024.0 * 1024.0), reps, median(ms),
          *std::min_element(ms.begin(), ms.end()));
  }
  comm->barrier();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "kdbench_allreduce_bench: " << e.what() << "\n";
    return 1;
  }
}
