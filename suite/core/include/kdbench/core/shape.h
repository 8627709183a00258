#pragma once
#include <cstdint>

namespace kdbench {

// Shape of one input image (channels × height × width); shared by datasets and models.
struct InputShape {
  int64_t channels = 1, height = 28, width = 28;
};

}  // namespace kdbench
