// The model registry: names -> builders of cnn.cpp / resnet.cpp, with the checks every family
// shares (known name, num_classes, input shape).
#include "kdbench/models/models.h"

#include <string>
#include <vector>

#include "builders.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"

namespace kdbench::models {
namespace detail {

std::string shape_text(const InputShape& shape) {
  return std::to_string(shape.channels) + "x" + std::to_string(shape.height) + "x" +
         std::to_string(shape.width);
}

}  // namespace detail

namespace {

constexpr const char* kResNetPrefix = "resnet";

// Depth of a registered ResNet name, 0 for anything else.
int resnet_depth(const std::string& name) {
  for (int depth : detail::resnet_depths()) {
    if (name == kResNetPrefix + std::to_string(depth)) return depth;
  }
  return 0;
}

bool is_cnn(const std::string& name) {
  for (const std::string& cnn : detail::cnn_names()) {
    if (name == cnn) return true;
  }
  return false;
}

void check_request(const std::string& name, int64_t num_classes, const InputShape& shape) {
  if (!is_known(name)) {
    throw ConfigError("unknown model '" + name + "' (known: " + join(known(), " ") + ")");
  }
  if (num_classes < 2) {
    throw ConfigError("model '" + name + "': num_classes must be at least 2, got " +
                      std::to_string(num_classes));
  }
  if (shape.channels < 1 || shape.height < 1 || shape.width < 1) {
    throw ConfigError("model '" + name + "': input shape " + detail::shape_text(shape) +
                      " must be positive in every dimension");
  }
}

}  // namespace

std::vector<std::string> known() {
  std::vector<std::string> names = detail::cnn_names();
  for (int depth : detail::resnet_depths()) names.push_back(kResNetPrefix + std::to_string(depth));
  return names;
}

bool is_known(const std::string& name) { return is_cnn(name) || resnet_depth(name) > 0; }

Net make(const std::string& name, int64_t num_classes, const InputShape& shape) {
  check_request(name, num_classes, shape);
  if (is_cnn(name)) return detail::make_cnn(name, num_classes, shape);
  return detail::make_resnet(resnet_depth(name), num_classes, shape);
}

int64_t forward_macs(const std::string& name, int64_t num_classes, const InputShape& shape) {
  check_request(name, num_classes, shape);
  if (is_cnn(name)) return detail::cnn_macs(name, num_classes, shape);
  return detail::resnet_macs(resnet_depth(name), num_classes, shape);
}

int64_t count_parameters(const torch::nn::Module& net) {
  int64_t count = 0;
  for (const torch::Tensor& parameter : net.parameters(/*recurse=*/true)) {
    if (parameter.requires_grad()) count += parameter.numel();
  }
  return count;
}

}  // namespace kdbench::models
