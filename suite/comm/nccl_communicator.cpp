// NCCL backend of a gang's data plane (kdbench/comm/nccl.h). Built whenever NCCL and the CUDA
// runtime are found, also against the CPU LibTorch (CI compiles and links it without a GPU);
// KDBENCH_TORCH_CUDA (set by CMake for a CUDA LibTorch) orders the collectives with LibTorch's
// current CUDA stream, which its kernels use.
#include <cuda_runtime_api.h>
#include <nccl.h>
#include <torch/torch.h>

#include <cstdlib>
#include <cstring>

#include "kdbench/comm/nccl.h"
#include "kdbench/core/errors.h"

#ifdef KDBENCH_TORCH_CUDA
#include <c10/cuda/CUDAStream.h>
#endif

namespace kdbench::comm {
namespace {

void check_nccl(ncclResult_t rc, const char* call) {
  if (rc != ncclSuccess) throw CommError(std::string(call) + " failed: " + ncclGetErrorString(rc));
}

void check_cuda(cudaError_t rc, const char* call) {
  if (rc != cudaSuccess) throw CommError(std::string(call) + " failed: " + cudaGetErrorString(rc));
}

ncclDataType_t nccl_type(const torch::Tensor& t) {
  switch (t.scalar_type()) {
    case torch::kFloat32:
      return ncclFloat32;
    case torch::kFloat64:
      return ncclFloat64;
    case torch::kFloat16:
      return ncclFloat16;
    case torch::kBFloat16:
      return ncclBfloat16;
    case torch::kInt64:
      return ncclInt64;
    case torch::kInt32:
      return ncclInt32;
    default:
      throw CommError(std::string("NCCL all_reduce/broadcast: unsupported dtype ") +
                      std::string(c10::toString(t.scalar_type())));
  }
}

ncclRedOp_t nccl_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum:
      return ncclSum;
    case ReduceOp::Max:
      return ncclMax;
    case ReduceOp::Min:
      return ncclMin;
  }
  return ncclSum;
}

class NcclCommunicator : public Communicator {
 public:
  NcclCommunicator(Communicator& mpi_gang, int cuda_device) : mpi_(mpi_gang), device_(cuda_device) {
    check_cuda(cudaSetDevice(device_), "cudaSetDevice");
    ncclUniqueId id;
    std::string bytes(sizeof id, '\0');
    if (mpi_.rank() == 0) {
      check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
      std::memcpy(bytes.data(), &id, sizeof id);
    }
    mpi_.broadcast(bytes, 0);
    std::memcpy(&id, bytes.data(), sizeof id);
    check_nccl(ncclCommInitRank(&nccl_, mpi_.size(), id, mpi_.rank()), "ncclCommInitRank");
  }
  ~NcclCommunicator() override { ncclCommDestroy(nccl_); }

  std::string backend() const override { return "nccl"; }
  int rank() const override { return mpi_.rank(); }
  int size() const override { return mpi_.size(); }
  int local_size() const override { return mpi_.local_size(); }
  int local_rank() const override { return mpi_.local_rank(); }
  std::string library_version() const override { return nccl_version(); }

  void send(int dest, int tag, const std::string& payload) override {
    mpi_.send(dest, tag, payload);
  }
  Message recv(int tag) override { return mpi_.recv(tag); }
  std::optional<Message> try_recv(int tag) override { return mpi_.try_recv(tag); }
  void barrier() override { mpi_.barrier(); }
  void broadcast(std::string& text, int root) override { mpi_.broadcast(text, root); }
  std::vector<std::string> all_gather(const std::string& text) override {
    return mpi_.all_gather(text);
  }

  void all_reduce(at::Tensor& t, ReduceOp op) override {
    if (!t.is_cuda()) return mpi_.all_reduce(t, op);
    require_contiguous(t);
    check_nccl(ncclAllReduce(t.data_ptr(), t.data_ptr(), static_cast<size_t>(t.numel()),
                             nccl_type(t), nccl_op(op), nccl_, stream()),
               "ncclAllReduce");
  }

  void broadcast(at::Tensor& t, int root) override {
    if (!t.is_cuda()) return mpi_.broadcast(t, root);
    require_contiguous(t);
    check_nccl(ncclBroadcast(t.data_ptr(), t.data_ptr(), static_cast<size_t>(t.numel()),
                             nccl_type(t), root, nccl_, stream()),
               "ncclBroadcast");
  }

  std::unique_ptr<Communicator> split(int, int) override {
    throw CommError("NCCL gang: split is not supported (split the MPI communicator)");
  }
  std::unique_ptr<Communicator> create_group(const std::vector<int>&, int) override {
    throw CommError("NCCL gang: create_group is not supported (use the MPI communicator)");
  }
  [[noreturn]] void abort(int exit_code) override {
    mpi_.abort(exit_code);
    std::_Exit(exit_code);  // not reached; GCC does not carry [[noreturn]] through a virtual call
  }

 private:
  static void require_contiguous(const at::Tensor& t) {
    if (!t.is_contiguous()) throw CommError("NCCL collectives need contiguous tensors");
  }
  cudaStream_t stream() const {
#ifdef KDBENCH_TORCH_CUDA
    return c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(device_)).stream();
#else
    return nullptr;  // the default stream: without CUDA LibTorch nothing else orders the work
#endif
  }

  Communicator& mpi_;
  int device_;
  ncclComm_t nccl_ = nullptr;
};

}  // namespace

bool nccl_built() { return true; }

std::string nccl_version() {
  int code = 0;
  if (ncclGetVersion(&code) != ncclSuccess) return "NCCL (version unknown)";
  // NCCL >= 2.9 encodes major * 10000 + minor * 100 + patch.
  return "NCCL " + std::to_string(code / 10000) + "." + std::to_string(code / 100 % 100) + "." +
         std::to_string(code % 100);
}

std::unique_ptr<Communicator> make_nccl_gang(Communicator& mpi_gang, int cuda_device) {
  return std::make_unique<NcclCommunicator>(mpi_gang, cuda_device);
}

}  // namespace kdbench::comm
