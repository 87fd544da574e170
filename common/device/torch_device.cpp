#include "common/device/torch_device.h"

#include <ATen/Context.h>
#include <torch/cuda.h>

namespace csm::device {

bool cuda_build() {
#ifdef CSM_WITH_CUDA
  return true;
#else
  return false;
#endif
}

int cuda_device_count() { return static_cast<int>(torch::cuda::device_count()); }

c10::Device parse_torch_device(const std::string& name) {
  check_torch_device_name(name);
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (!cuda_build()) {
    throw DeviceError("device \"" + name +
                      "\": this build has no CUDA support (it was built against a CPU-only "
                      "LibTorch; see the README's CUDA section)");
  }
  const int count = cuda_device_count();
  if (count == 0) {
    throw DeviceError("device \"" + name +
                      "\": no CUDA device is visible to this process (check the NVIDIA driver, "
                      "the container's GPU access and CUDA_VISIBLE_DEVICES)");
  }
  const c10::Device device(name);
  if (device.has_index() && device.index() >= count) {
    throw DeviceError("device \"" + name + "\": only " + std::to_string(count) +
                      " CUDA device(s) visible (cuda:0.." + std::to_string(count - 1) + ")");
  }
  return device;
}

void disable_tf32() {
  at::globalContext().setAllowTF32CuBLAS(false);
  at::globalContext().setAllowTF32CuDNN(false);
}

}  // namespace csm::device
