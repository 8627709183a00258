#pragma once
// Internal to kdbench_models: the per-family builders behind the registry in models.cpp.
// Callers outside models/ use models.h only.
#include <string>
#include <vector>

#include "kdbench/models/models.h"

namespace kdbench::models::detail {

// "CxHxW", the way error messages and plans print an input shape.
std::string shape_text(const InputShape& shape);

// Plain CNN-n of TAKD (cnn.cpp). Names are those of cnn_names(); inputs are already validated
// for num_classes and positive sizes, the builders check what only they know (pool depth).
std::vector<std::string> cnn_names();
Net make_cnn(const std::string& name, int64_t num_classes, const InputShape& shape);
int64_t cnn_macs(const std::string& name, int64_t num_classes, const InputShape& shape);

// CIFAR ResNet-d (resnet.cpp), d in resnet_depths().
std::vector<int> resnet_depths();
Net make_resnet(int depth, int64_t num_classes, const InputShape& shape);
int64_t resnet_macs(int depth, int64_t num_classes, const InputShape& shape);

}  // namespace kdbench::models::detail
