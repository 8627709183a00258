#include "kdbench/train/precision.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "kdbench/core/errors.h"

// PyTorch 2.4 replaced the per-backend autocast setters (set_cpu_enabled, set_autocast_gpu_dtype,
// ...) with ones taking the device type, and deprecated the old names.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define KDBENCH_AUTOCAST_BY_DEVICE_TYPE 1
#endif

namespace kdbench::train {
namespace {

bool autocast_enabled(c10::DeviceType t) {
#ifdef KDBENCH_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::is_autocast_enabled(t);
#else
  return t == c10::DeviceType::CPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
#endif
}

void set_autocast_enabled(c10::DeviceType t, bool on) {
#ifdef KDBENCH_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_enabled(t, on);
#else
  if (t == c10::DeviceType::CPU)
    at::autocast::set_cpu_enabled(on);
  else
    at::autocast::set_enabled(on);
#endif
}

at::ScalarType autocast_dtype(c10::DeviceType t) {
#ifdef KDBENCH_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::get_autocast_dtype(t);
#else
  return t == c10::DeviceType::CPU ? at::autocast::get_autocast_cpu_dtype()
                                   : at::autocast::get_autocast_gpu_dtype();
#endif
}

void set_autocast_dtype(c10::DeviceType t, at::ScalarType dtype) {
#ifdef KDBENCH_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_dtype(t, dtype);
#else
  if (t == c10::DeviceType::CPU)
    at::autocast::set_autocast_cpu_dtype(dtype);
  else
    at::autocast::set_autocast_gpu_dtype(dtype);
#endif
}

}  // namespace

Precision parse_precision(const std::string& text, const std::string& where) {
  if (text == "fp32") return Precision::Fp32;
  if (text == "bf16") return Precision::Bf16;
  throw ConfigError(where + ": precision '" + text + "' is not one of fp32|bf16");
}

std::string to_string(Precision p) { return p == Precision::Bf16 ? "bf16" : "fp32"; }

AutocastScope::AutocastScope(const torch::Device& device, Precision p) {
  if (p == Precision::Fp32) return;
  if (!device.is_cpu() && !device.is_cuda())
    throw ConfigError("precision bf16 needs a CPU or CUDA device, not " + device.str());
  active_ = true;
  type_ = device.type();
  was_enabled_ = autocast_enabled(type_);
  previous_dtype_ = autocast_dtype(type_);
  set_autocast_enabled(type_, true);
  set_autocast_dtype(type_, at::kBFloat16);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // The weights cast to bf16 inside the scope are cached until the outermost scope ends.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast_enabled(type_, was_enabled_);
  set_autocast_dtype(type_, previous_dtype_);
}

}  // namespace kdbench::train
