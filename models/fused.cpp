// Fused models (fused.h): the plain CNNs and CIFAR ResNets replayed over stacked parameters.
// Member k owns channels [k·C, (k+1)·C) of every activation and row k of every linear layer.
#include "kdbench/models/fused.h"

#include <ATen/CPUGeneratorImpl.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "builders.h"
#include "kdbench/core/errors.h"

namespace kdbench::models {
namespace {

// LibTorch's BatchNorm2d defaults, which every member's BatchNorm uses.
constexpr double kBnMomentum = 0.1;
constexpr double kBnEps = 1e-5;

// A member tensor by name among its parameters, then its buffers; undefined when absent.
torch::Tensor member_tensor(const NetImpl& net, const std::string& name) {
  // The dictionaries are returned by value: keep them alive while their entries are read.
  const auto params = net.named_parameters();
  if (const auto* p = params.find(name)) return *p;
  const auto buffers = net.named_buffers();
  if (const auto* b = buffers.find(name)) return *b;
  return {};
}

// Registered names may not contain dots.
std::string slot_name(std::string name) {
  for (char& c : name)
    if (c == '.') c = '_';
  return name;
}

// Member tensors laid out [B, K·C, H, W] <-> [K, B, ...] at the ends of the network.
torch::Tensor to_groups(const torch::Tensor& images, bool nhwc) {
  const int64_t k = images.size(0), b = images.size(1);
  auto x = images.transpose(0, 1).reshape({b, k * images.size(2), images.size(3), images.size(4)});
  return nhwc ? detail::channels_last(x) : x;
}
torch::Tensor to_members(const torch::Tensor& grouped, int64_t k) {
  return grouped.reshape({grouped.size(0), k, -1}).transpose(0, 1);  // [K, B, C·H·W]
}

struct FusedConv {
  torch::Tensor weight, bias;
  int64_t stride = 1, padding = 1;
};
struct FusedBn {
  torch::Tensor weight, bias, mean, var, batches;
};
struct FusedLinear {
  torch::Tensor weight, bias;  // [K, out, in], [K, out]
};

// The per-family forward passes share the layer helpers of this base.
class FusedBase : public FusedNetImpl {
 protected:
  FusedBase(const std::vector<Net>& nets, bool nhwc)
      : FusedNetImpl(static_cast<int64_t>(nets.size())), nets_(nets), nhwc_(nhwc) {}

  FusedConv conv(const std::string& prefix, int64_t stride, int64_t padding) {
    return {stack(nets_, prefix + ".weight", Stacking::kChannels, nhwc_),
            stack(nets_, prefix + ".bias", Stacking::kChannels, nhwc_), stride, padding};
  }
  FusedBn bn(const std::string& prefix) {
    return {stack(nets_, prefix + ".weight", Stacking::kChannels, false),
            stack(nets_, prefix + ".bias", Stacking::kChannels, false),
            stack(nets_, prefix + ".running_mean", Stacking::kChannels, false),
            stack(nets_, prefix + ".running_var", Stacking::kChannels, false),
            stack(nets_, prefix + ".num_batches_tracked", Stacking::kMembers, false)};
  }
  FusedLinear linear(const std::string& prefix) {
    return {stack(nets_, prefix + ".weight", Stacking::kMembers, false),
            stack(nets_, prefix + ".bias", Stacking::kMembers, false)};
  }
  // Built: the members are no longer referenced.
  void done() { nets_.clear(); }

  torch::Tensor apply(const FusedConv& c, const torch::Tensor& x) const {
    return torch::conv2d(x, c.weight, c.bias, c.stride, c.padding, 1, members());
  }
  // As BatchNorm2d::forward: the batch counter counts, the running stats move by momentum 0.1.
  torch::Tensor apply(const FusedBn& n, const torch::Tensor& x) const {
    if (is_training()) {
      torch::NoGradGuard no_grad;
      n.batches.add_(1);
    }
    return torch::batch_norm(x, n.weight, n.bias, n.mean, n.var, is_training(), kBnMomentum, kBnEps,
                             true);
  }
  static torch::Tensor apply(const FusedLinear& l, const torch::Tensor& x) {
    return torch::baddbmm(l.bias.unsqueeze(1), x, l.weight.transpose(1, 2));
  }
  bool nhwc() const { return nhwc_; }

 private:
  std::vector<Net> nets_;
  bool nhwc_;
};

class FusedCnn : public FusedBase {
 public:
  FusedCnn(const std::vector<Net>& nets, const std::vector<int64_t>& features, bool nhwc)
      : FusedBase(nets, nhwc) {
    int conv_index = 0;
    for (int64_t width : features) {
      if (width == detail::kCnnPool) {
        steps_.push_back(std::nullopt);
        continue;
      }
      const std::string prefix = "features." + std::to_string(conv_index++);
      steps_.push_back(std::make_pair(conv(prefix + ".conv", 1, 1), bn(prefix + ".bn")));
    }
    for (int i = 0;
         member_tensor(*nets.front(), "classifier." + std::to_string(i) + ".weight").defined(); ++i)
      fcs_.push_back(linear("classifier." + std::to_string(i)));
    done();
  }

  torch::Tensor forward(const torch::Tensor& images) override {
    const int64_t k = members();
    torch::Tensor x;
    if (steps_.empty()) {  // mlp2: the flattened images
      x = images.flatten(2);
    } else {
      x = to_groups(images, nhwc());
      for (const auto& step : steps_)
        x = step ? apply(step->second, apply(step->first, x)).relu_()
                 : torch::max_pool2d(x, {2, 2});
      x = to_members(x, k);
    }
    for (size_t i = 0; i + 1 < fcs_.size(); ++i) x = apply(fcs_[i], x).relu_();
    return apply(fcs_.back(), x);
  }

 private:
  std::vector<std::optional<std::pair<FusedConv, FusedBn>>> steps_;  // nullopt = max-pool 2
  std::vector<FusedLinear> fcs_;
};

class FusedResNet : public FusedBase {
 public:
  FusedResNet(const std::vector<Net>& nets, int depth, bool nhwc) : FusedBase(nets, nhwc) {
    conv1_ = conv("conv1", 1, 1);
    bn1_ = bn("bn1");
    for (int stage = 0; stage < 3; ++stage) {
      for (int b = 0; b < (depth - 2) / 6; ++b) {
        const std::string p = "layer" + std::to_string(stage + 1) + "." + std::to_string(b) + ".";
        const int64_t stride = detail::resnet_block_stride(stage, b);
        Block block{conv(p + "conv1", stride, 1), bn(p + "bn1"), conv(p + "conv2", 1, 1),
                    bn(p + "bn2"), std::nullopt};
        if (member_tensor(*nets.front(), p + "downsample.0.weight").defined())
          block.shortcut =
              std::make_pair(conv(p + "downsample.0", stride, 0), bn(p + "downsample.1"));
        blocks_.push_back(std::move(block));
      }
    }
    fc_ = linear("fc");
    done();
  }

  torch::Tensor forward(const torch::Tensor& images) override {
    torch::Tensor x = apply(bn1_, apply(conv1_, to_groups(images, nhwc()))).relu_();
    for (const auto& b : blocks_) {
      torch::Tensor out = apply(b.bn1, apply(b.conv1, x)).relu_();
      out = apply(b.bn2, apply(b.conv2, out));
      out += b.shortcut ? apply(b.shortcut->second, apply(b.shortcut->first, x)) : x;
      x = out.relu_();
    }
    return apply(fc_, to_members(x.mean({2, 3}), members()));  // global average pool
  }

 private:
  struct Block {
    FusedConv conv1;
    FusedBn bn1;
    FusedConv conv2;
    FusedBn bn2;
    std::optional<std::pair<FusedConv, FusedBn>> shortcut;
  };
  FusedConv conv1_;
  FusedBn bn1_;
  std::vector<Block> blocks_;
  FusedLinear fc_;
};

bool is_fusable_cnn(const std::string& name) {
  for (const std::string& cnn : detail::cnn_names())
    if (name == cnn) return true;
  return false;
}

// Every member has the first one's tensors, by name and shape.
void check_members(const std::string& name, const std::vector<Net>& members) {
  if (members.empty()) throw ConfigError("fused model '" + name + "': no members");
  const auto reference = members.front()->named_parameters();
  for (size_t k = 1; k < members.size(); ++k) {
    const auto params = members[k]->named_parameters();
    bool same = params.size() == reference.size();
    for (size_t i = 0; same && i < params.size(); ++i)
      same = params[i].key() == reference[i].key() &&
             params[i].value().sizes() == reference[i].value().sizes();
    if (!same)
      throw ConfigError("fused model '" + name + "': member " + std::to_string(k) +
                        " is not the same architecture as member 0");
  }
}

}  // namespace

torch::Tensor FusedNetImpl::stack(const std::vector<Net>& nets, const std::string& name,
                                  Stacking stacking, bool channels_last) {
  std::vector<torch::Tensor> parts;
  for (const auto& net : nets) {
    const torch::Tensor t = member_tensor(*net, name);
    if (!t.defined()) return {};  // a convolution without bias (check_members: all alike)
    parts.push_back(t.detach());
  }
  torch::Tensor stacked =
      stacking == Stacking::kChannels ? torch::cat(parts, 0) : torch::stack(parts, 0);
  if (channels_last && stacked.dim() == 4) stacked = detail::channels_last(stacked);
  stacked = stacked.clone();
  const bool is_parameter = nets.front()->named_parameters().find(name) != nullptr;
  stacked = is_parameter ? register_parameter(slot_name(name), stacked)
                         : register_buffer(slot_name(name), stacked);
  slots_[name] = {stacked, stacking};
  return stacked;
}

void FusedNetImpl::unstack(int64_t member, NetImpl& net) const {
  if (member < 0 || member >= members_)
    throw Error("fused model: no member " + std::to_string(member) + " among " +
                std::to_string(members_));
  torch::NoGradGuard no_grad;
  const auto write = [&](const std::string& name, torch::Tensor& target) {
    const auto found = slots_.find(name);
    if (found == slots_.end())
      throw Error("fused model: the network's tensor '" + name + "' has no stacked form");
    const Slot& slot = found->second;
    const torch::Tensor part = slot.stacking == Stacking::kChannels
                                   ? slot.stacked.narrow(0, member * target.size(0), target.size(0))
                                   : slot.stacked[member];
    if (part.sizes() != target.sizes())
      throw Error("fused model: tensor '" + name + "' is " + c10::str(part.sizes()) + " stacked, " +
                  c10::str(target.sizes()) + " in the network");
    target.copy_(part);
  };
  for (auto& p : net.named_parameters()) write(p.key(), p.value());
  for (auto& b : net.named_buffers()) write(b.key(), b.value());
}

bool can_fuse(const std::string& name) {
  return is_fusable_cnn(name) || detail::resnet_depth(name) > 0;
}

FusedNet make_fused(const std::string& name, const std::vector<Net>& members, int64_t num_classes,
                    const InputShape& shape) {
  if (!can_fuse(name))
    throw ConfigError("model '" + name + "' has no fused form (fusable: the plain CNNs and the " +
                      "CIFAR ResNets)");
  check_members(name, members);
  // The members' architecture, checked against a fresh one of the name, built without moving
  // the caller's generator (which seeds whatever the caller builds next).
  {
    // Not under the generator's mutex: drawing the weights takes it.
    auto gen = at::detail::getDefaultCPUGenerator();
    const auto state = gen.get_state();
    torch::NoGradGuard no_grad;
    const Net fresh = make(name, num_classes, shape);
    gen.set_state(state);
    check_members(name, {fresh, members.front()});
  }
  if (is_fusable_cnn(name)) {
    const auto& features = detail::cnn_features(name);
    return std::make_shared<FusedCnn>(
        members, features, detail::uses_channels_last(shape, detail::cnn_convolutions(features)));
  }
  const int depth = detail::resnet_depth(name);
  return std::make_shared<FusedResNet>(
      members, depth, detail::uses_channels_last(shape, detail::resnet_convolutions(depth)));
}

}  // namespace kdbench::models
