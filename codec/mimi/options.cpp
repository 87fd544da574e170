#include "codec/mimi/options.h"

#include "codec/mimi/config.h"
#include "common/device/torch_device.h"

#include <torch/torch.h>

namespace csm::mimi {

void MimiOptions::validate() const {
  (void)torch_device();
  (void)scalar_type();
  if (max_slots < 1) throw MimiError("mimi options: max_slots must be >= 1");
  if (max_frames_per_call < 1) throw MimiError("mimi options: max_frames_per_call must be >= 1");
  if (num_threads < 0) throw MimiError("mimi options: num_threads must be >= 0");
}

c10::Device MimiOptions::torch_device() const {
  try {
    return device::parse_torch_device(device);
  } catch (const device::DeviceError& e) {
    throw MimiError(std::string("mimi options: ") + e.what());
  }
}

c10::ScalarType MimiOptions::scalar_type() const {
  if (dtype == "float32") return torch::kFloat32;
  if (dtype == "bfloat16") return torch::kBFloat16;
  if (dtype == "float16") return torch::kFloat16;
  throw MimiError("mimi options: unknown dtype '" + dtype + "' (float32 | bfloat16 | float16)");
}

c10::TensorOptions MimiOptions::tensor_options() const {
  return c10::TensorOptions().device(torch_device()).dtype(scalar_type());
}

}  // namespace csm::mimi
