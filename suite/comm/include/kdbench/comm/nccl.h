#pragma once
// The NCCL data plane of a gang (docs/design.md §4): collectives of CUDA tensors go through NCCL,
// everything else (control plane, strings, CPU tensors) through the gang's MPI communicator. Built
// when nccl.h, libnccl and the CUDA runtime are found (cmake/KdbenchNccl.cmake), with CPU LibTorch
// too; without them nccl_built() is false and make_nccl_gang throws.
#include <memory>
#include <string>

#include "kdbench/comm/communicator.h"

namespace kdbench::comm {

bool nccl_built();
// "NCCL 2.28.9" (ncclGetVersion: needs no GPU); "" when not built.
std::string nccl_version();

// Every member of `mpi_gang` calls it with its CUDA device: the gang root makes the NCCL unique
// id and broadcasts it over mpi_gang. The result uses mpi_gang, which must outlive it.
// Collectives of CUDA tensors run on LibTorch's current CUDA stream of that device (the default
// stream when LibTorch has no CUDA). Errors: CommError naming the NCCL or CUDA call.
std::unique_ptr<Communicator> make_nccl_gang(Communicator& mpi_gang, int cuda_device);

}  // namespace kdbench::comm
