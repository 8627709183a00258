#pragma once
// Which device a rank trains on (kdbench run --device auto|cpu|cuda, --ranks-per-gpu R).
// Each rank binds to one GPU from its node-local rank, so it works the same under mpirun and
// srun and respects CUDA_VISIBLE_DEVICES; several ranks may share one GPU on purpose.
#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace kdbench::train {

struct DeviceChoice {
  torch::Device device{torch::kCPU};
  std::string name;          // "cpu" or the GPU's name, e.g. "NVIDIA H200"
  int64_t memory_bytes = 0;  // the GPU's total memory; 0 on the CPU
  int ranks_sharing = 1;     // local ranks bound to this GPU, this one included
};

// Throws ConfigError (one line) unless `requested` is auto|cpu|cuda, and for cuda when no CUDA
// device is visible. Cheap: run_grid calls it before anything is written.
void check_device_request(const std::string& requested);

// The GPU a node-local rank binds to: ranks_per_gpu > 0 packs that many consecutive local ranks
// per GPU, 0 deals ranks round robin; both wrap around the visible GPUs.
struct GpuSlot {
  int index = 0;
  int ranks_sharing = 1;
};
GpuSlot gpu_slot(int local_rank, int local_size, int ranks_per_gpu, int visible_gpus);

// Resolves `requested` (auto = CUDA when LibTorch sees a GPU) for this rank and, on CUDA, makes
// the chosen GPU the process's current device.
DeviceChoice select_device(const std::string& requested, int local_rank, int local_size,
                           int ranks_per_gpu);

}  // namespace kdbench::train
