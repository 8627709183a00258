#pragma once
// Numeric precision of a task's forward passes ([teacher]/[student] precision = fp32 | bf16).
// bf16 is autocast: parameters, optimizer state and losses stay fp32; matmuls and convolutions
// inside an AutocastScope run in bfloat16 on the scope's device type (CPU or CUDA).
#include <torch/torch.h>

#include <string>

namespace kdbench::train {

enum class Precision { Fp32, Bf16 };

// "fp32" or "bf16"; anything else throws ConfigError naming `where` (file/key), the value and
// the allowed values.
Precision parse_precision(const std::string& text, const std::string& where);
std::string to_string(Precision p);

// While alive, autocasts to bf16 on `device`'s type (Bf16) or does nothing (Fp32). Restores the
// previous enabled flag and dtype on destruction and clears the cast cache when the outermost
// scope ends, as torch.autocast does. Not copyable; one thread.
class AutocastScope {
 public:
  AutocastScope(const torch::Device& device, Precision p);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  c10::DeviceType type_ = c10::DeviceType::CPU;
  bool was_enabled_ = false;
  at::ScalarType previous_dtype_ = at::kFloat;
};

}  // namespace kdbench::train
