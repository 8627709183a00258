#include "kdbench/train/device.h"

#include <cstdlib>

#include "kdbench/core/errors.h"

#ifdef KDBENCH_TORCH_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

namespace kdbench::train {
namespace {

constexpr bool kTorchHasCuda =
#ifdef KDBENCH_TORCH_CUDA
    true;
#else
    false;
#endif

int slot_of(int local_rank, int ranks_per_gpu, int visible_gpus) {
  return (ranks_per_gpu > 0 ? local_rank / ranks_per_gpu : local_rank) % visible_gpus;
}

DeviceChoice cuda_choice(const GpuSlot& slot) {
  DeviceChoice c;
  c.device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(slot.index));
  c.ranks_sharing = slot.ranks_sharing;
#ifdef KDBENCH_TORCH_CUDA
  c10::cuda::set_device(static_cast<c10::DeviceIndex>(slot.index));
  const cudaDeviceProp* props = at::cuda::getDeviceProperties(slot.index);
  c.name = props->name;
  c.memory_bytes = static_cast<int64_t>(props->totalGlobalMem);
#else
  c.name = c.device.str();
#endif
  return c;
}

}  // namespace

void check_device_request(const std::string& requested) {
  if (requested != "auto" && requested != "cpu" && requested != "cuda")
    throw ConfigError("--device: '" + requested + "' is not one of auto|cpu|cuda");
  if (requested != "cuda" || torch::cuda::is_available()) return;
  const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
  throw ConfigError(
      std::string("--device cuda: no CUDA device is visible (CUDA_VISIBLE_DEVICES=") +
      (visible ? "'" + std::string(visible) + "'" : std::string("unset")) +
      (kTorchHasCuda ? "; this LibTorch has CUDA)" : "; this LibTorch was built without CUDA)"));
}

GpuSlot gpu_slot(int local_rank, int local_size, int ranks_per_gpu, int visible_gpus) {
  GpuSlot s;
  s.index = slot_of(local_rank, ranks_per_gpu, visible_gpus);
  s.ranks_sharing = 0;
  for (int r = 0; r < local_size; ++r)
    if (slot_of(r, ranks_per_gpu, visible_gpus) == s.index) ++s.ranks_sharing;
  return s;
}

DeviceChoice select_device(const std::string& requested, int local_rank, int local_size,
                           int ranks_per_gpu) {
  check_device_request(requested);
  if (requested == "cpu" || !torch::cuda::is_available())
    return {torch::Device(torch::kCPU), "cpu"};
  const int gpus = static_cast<int>(torch::cuda::device_count());
  return cuda_choice(gpu_slot(local_rank, local_size, ranks_per_gpu, gpus));
}

}  // namespace kdbench::train
