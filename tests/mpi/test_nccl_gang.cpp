// The NCCL data plane of a gang on real GPUs, one rank per GPU under mpirun (label gpu):
// make_nccl_gang over the MPI world, then all_reduce (sum, max) and broadcast of CUDA tensors
// against closed-form values, read back with cudaMemcpy. `test_nccl_gang --probe` (no MPI) exits
// 77 when no CUDA device is visible, so ctest reports Skipped on machines without a GPU.
// Works with CPU LibTorch too: the CUDA tensors wrap cudaMalloc'd memory (from_blob).
#include <cuda_runtime_api.h>
#include <torch/torch.h>

#include <iostream>
#include <string>
#include <vector>

#include "kdbench/comm/communicator.h"
#include "kdbench/comm/nccl.h"

namespace {

int gpus() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
}

int failures = 0;
void expect(bool ok, const std::string& what, int rank) {
  if (ok) return;
  ++failures;
  std::cerr << "[rank " << rank << "] FAILED: " << what << std::endl;
}

// n floats on the current device holding `values`, as a CUDA tensor.
torch::Tensor on_gpu(const std::vector<float>& values, int device) {
  void* memory = nullptr;
  if (cudaMalloc(&memory, values.size() * sizeof(float)) != cudaSuccess) throw std::bad_alloc();
  cudaMemcpy(memory, values.data(), values.size() * sizeof(float), cudaMemcpyHostToDevice);
  return torch::from_blob(
      memory, {static_cast<int64_t>(values.size())}, [](void* p) { cudaFree(p); },
      torch::TensorOptions().dtype(torch::kFloat32).device(torch::kCUDA, device));
}

std::vector<float> to_host(const torch::Tensor& t) {
  std::vector<float> out(static_cast<size_t>(t.numel()));
  cudaDeviceSynchronize();
  cudaMemcpy(out.data(), t.data_ptr(), out.size() * sizeof(float), cudaMemcpyDeviceToHost);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace kdbench;
  if (argc > 1 && std::string(argv[1]) == "--probe") {
    std::cout << comm::nccl_version() << ", " << gpus() << " CUDA device(s)" << std::endl;
    return gpus() > 0 ? 0 : 77;
  }
  auto world = comm::make_communicator("mpi", &argc, &argv);
  const int rank = world->rank(), n = world->size();
  const int device = rank % std::max(1, gpus());
  auto gang = comm::make_nccl_gang(*world, device);
  expect(gang->backend() == "nccl" && gang->rank() == rank && gang->size() == n, "identity", rank);

  const int64_t count = 1 << 20;  // 4 MiB: several NCCL chunks
  std::vector<float> mine(static_cast<size_t>(count), static_cast<float>(rank + 1));
  torch::Tensor sum = on_gpu(mine, device);
  gang->all_reduce(sum, comm::ReduceOp::Sum);
  const auto s = to_host(sum);
  expect(s.front() == n * (n + 1) / 2.0f && s.back() == n * (n + 1) / 2.0f, "all_reduce sum", rank);
  torch::Tensor max = on_gpu(mine, device);
  gang->all_reduce(max, comm::ReduceOp::Max);
  expect(to_host(max).back() == static_cast<float>(n), "all_reduce max", rank);
  torch::Tensor from_last = on_gpu(mine, device);
  gang->broadcast(from_last, n - 1);
  expect(to_host(from_last).front() == static_cast<float>(n), "broadcast from the last rank", rank);
  // CPU tensors still go through the MPI gang.
  torch::Tensor cpu = torch::full({3}, rank, torch::kFloat64);
  gang->all_reduce(cpu, comm::ReduceOp::Sum);
  expect(cpu[0].item<double>() == n * (n - 1) / 2.0, "CPU all_reduce through MPI", rank);

  std::vector<std::string> verdicts = world->all_gather(std::to_string(failures));
  int total = 0;
  for (const auto& v : verdicts) total += std::stoi(v);
  if (rank == 0)
    std::cout << "test_nccl_gang (" << comm::nccl_version() << ") on " << n
              << " GPU rank(s): " << (total == 0 ? "passed" : "FAILED") << std::endl;
  gang.reset();
  world.reset();
  return total == 0 ? 0 : 1;
}
