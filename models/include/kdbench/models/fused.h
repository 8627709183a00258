#pragma once
// Fused students (docs/design.md §4, "Fused models"): K runs of the same image architecture
// trained as one network. Convolutions become one grouped convolution over the members' K·C
// channels (groups = K), BatchNorm one BatchNorm over K·C channels (per-channel statistics are
// per-member statistics), linear layers one batched matrix product over [K, out, in] weights.
// The stacked tensors are the module's parameters, so an element-wise optimizer (SGD with
// momentum, weight decay, Nesterov) on them is K independent optimizers, one per member.
#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kdbench/models/models.h"

namespace kdbench::models {

class FusedNetImpl : public torch::nn::Module {
 public:
  // Member batches [K, B, C, H, W] -> member logits [K, B, classes]. In training mode each
  // member's BatchNorm statistics come from its own batch; in eval mode from its running stats.
  virtual torch::Tensor forward(const torch::Tensor& images) = 0;
  int64_t members() const { return members_; }
  // Writes member k's parameters and buffers into `net`, an ordinary network of the same name
  // (checkpoints and evaluation then run exactly as a solo run's). Throws Error when `net` holds
  // a tensor the fused model does not, or of another shape.
  void unstack(int64_t member, NetImpl& net) const;

 protected:
  explicit FusedNetImpl(int64_t members) : members_(members) {}

  // How a member tensor sits in its stacked form.
  enum class Stacking {
    kChannels,  // concatenated along dim 0 (convolution and BatchNorm channels): [K·C, ...]
    kMembers,   // a new leading member dim (linear layers, BatchNorm's batch counter): [K, ...]
  };
  struct Slot {
    torch::Tensor stacked;
    Stacking stacking;
  };
  // Registers the stacked form of the members' tensor `name` (a parameter when the members' is
  // one, else a buffer) and returns it; an undefined tensor when the members have none (a
  // convolution without bias).
  torch::Tensor stack(const std::vector<Net>& nets, const std::string& name, Stacking stacking,
                      bool channels_last);

 private:
  int64_t members_;
  std::map<std::string, Slot> slots_;  // by the members' tensor name
};
using FusedNet = std::shared_ptr<FusedNetImpl>;

// Whether `name` has a fused form: the plain CNNs (cnn2 … cnn10, mlp2) and the CIFAR ResNets.
bool can_fuse(const std::string& name);

// A fused model of `members`, networks that models::make(name, num_classes, shape) built (each
// after seeding with its own run's seed): the stacked tensors are copies of theirs, so member k
// starts from exactly the weights its solo run would. ConfigError for a name without a fused
// form, no members, or members that are not all of that architecture.
FusedNet make_fused(const std::string& name, const std::vector<Net>& members, int64_t num_classes,
                    const InputShape& shape);

}  // namespace kdbench::models
