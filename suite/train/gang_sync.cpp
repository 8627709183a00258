#include "kdbench/train/gang_sync.h"

#include <map>

#include "kdbench/core/errors.h"

namespace kdbench::train {
namespace {

// MPI reduces host memory: a device buffer goes through a host copy unless the gang's backend is
// NCCL, which reduces device memory in place.
void reduce_in_place(comm::Communicator& gang, torch::Tensor& t, comm::ReduceOp op) {
  if (t.device().is_cpu() || gang.backend() == "nccl") {
    gang.all_reduce(t, op);
    return;
  }
  torch::Tensor host = t.cpu();
  gang.all_reduce(host, op);
  t.copy_(host);
}

void broadcast_in_place(comm::Communicator& gang, torch::Tensor& t, int root) {
  if (t.device().is_cpu() || gang.backend() == "nccl") {
    gang.broadcast(t, root);
    return;
  }
  torch::Tensor host = t.cpu();
  gang.broadcast(host, root);
  t.copy_(host);
}

torch::Tensor doubles(const std::vector<double>& values) {
  return torch::tensor(values, torch::TensorOptions().dtype(torch::kFloat64));
}

void copy_back(const torch::Tensor& from, std::vector<double>& values) {
  const auto* p = from.data_ptr<double>();
  values.assign(p, p + from.numel());
}

}  // namespace

BatchShare split_batch(int64_t batch, int member, int members) {
  if (members < 1 || member < 0 || member >= members)
    throw Error("split_batch: member " + std::to_string(member) + " of " + std::to_string(members));
  const int64_t base = batch / members, extra = batch % members;
  const int64_t begin = member * base + std::min<int64_t>(member, extra);
  return {begin, begin + base + (member < extra ? 1 : 0)};
}

GradientSync::GradientSync(comm::Communicator& gang, std::vector<torch::Tensor> params,
                           int64_t bucket_bytes)
    : gang_(gang), params_(std::move(params)) {
  if (params_.empty()) throw Error("GradientSync: no parameters");
  const auto dtype = params_.front().scalar_type();
  const int64_t element = static_cast<int64_t>(params_.front().element_size());
  int64_t total = 0;
  Bucket open;
  for (size_t i = 0; i < params_.size(); ++i) {
    const auto& p = params_[i];
    // One flat buffer needs one dtype; mixed-precision training keeps fp32 master weights.
    if (p.scalar_type() != dtype)
      throw Error("GradientSync: parameters of different dtypes (" +
                  std::string(c10::toString(dtype)) + ", " +
                  std::string(c10::toString(p.scalar_type())) + ")");
    if (open.numel > 0 && (open.numel + p.numel()) * element > bucket_bytes) {
      buckets_.push_back(open);
      open = Bucket{i, i, total, 0};
    }
    offsets_.push_back(total);
    total += p.numel();
    open.last = i + 1;
    open.numel += p.numel();
  }
  buckets_.push_back(open);
  flat_ = torch::empty({total}, params_.front().options().requires_grad(false));
}

void GradientSync::all_reduce() {
  torch::NoGradGuard no_grad;
  for (const Bucket& b : buckets_) {
    for (size_t i = b.first; i < b.last; ++i) {
      auto dst = flat_.narrow(0, offsets_[i], params_[i].numel());
      const auto& g = params_[i].grad();
      if (g.defined())
        dst.copy_(g.reshape(-1));
      else
        dst.zero_();
    }
    auto slice = flat_.narrow(0, b.offset, b.numel);
    reduce_in_place(gang_, slice, comm::ReduceOp::Sum);
    for (size_t i = b.first; i < b.last; ++i) {
      auto& p = params_[i];
      const auto src = flat_.narrow(0, offsets_[i], p.numel()).view(p.sizes());
      if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
      p.mutable_grad().copy_(src);
    }
  }
}

void broadcast_state(comm::Communicator& gang, torch::nn::Module& module, int root) {
  torch::NoGradGuard no_grad;
  // One flat collective per dtype (BatchNorm's step counter is int64, weights float).
  std::map<c10::ScalarType, std::vector<torch::Tensor>> by_dtype;
  for (const auto& p : module.parameters()) by_dtype[p.scalar_type()].push_back(p);
  for (const auto& b : module.buffers()) by_dtype[b.scalar_type()].push_back(b);
  for (auto& [dtype, tensors] : by_dtype) {
    std::vector<torch::Tensor> flat_views;
    for (const auto& t : tensors) flat_views.push_back(t.reshape(-1));
    torch::Tensor flat = torch::cat(flat_views);
    broadcast_in_place(gang, flat, root);
    int64_t offset = 0;
    for (auto& t : tensors) {
      t.copy_(flat.narrow(0, offset, t.numel()).view(t.sizes()));
      offset += t.numel();
    }
  }
}

bool any_member(comm::Communicator& gang, bool flag) {
  torch::Tensor t = torch::tensor({static_cast<int64_t>(flag)}, torch::kInt64);
  gang.all_reduce(t, comm::ReduceOp::Max);
  return t.item<int64_t>() != 0;
}

int64_t min_over_gang(comm::Communicator& gang, int64_t value) {
  torch::Tensor t = torch::tensor({value}, torch::kInt64);
  gang.all_reduce(t, comm::ReduceOp::Min);
  return t.item<int64_t>();
}

void sum_over_gang(comm::Communicator& gang, std::vector<double>& values) {
  torch::Tensor t = doubles(values);
  gang.all_reduce(t, comm::ReduceOp::Sum);
  copy_back(t, values);
}

void broadcast_values(comm::Communicator& gang, std::vector<double>& values, int root) {
  torch::Tensor t = doubles(values);
  gang.broadcast(t, root);
  copy_back(t, values);
}

}  // namespace kdbench::train
