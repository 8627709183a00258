#pragma once
#include <cstdint>

namespace kdbench {

// Shape of one input, shared by datasets and models: an image (channels × height × width) or,
// when vocab_size > 0, a token sequence of at most max_tokens ids below vocab_size.
struct InputShape {
  int64_t channels = 1, height = 28, width = 28;
  int64_t vocab_size = 0, max_tokens = 0;  // text only
  bool is_text() const { return vocab_size > 0; }
};

}  // namespace kdbench
