// Which torch device a configuration names, checked against what this build and this machine
// have, so that "model.device": "cuda" on a CPU-only build or a machine without a GPU fails at
// start-up with one clear sentence instead of a LibTorch dispatcher error at the first tensor.
#pragma once

#include <c10/core/Device.h>

#include <stdexcept>
#include <string>

namespace csm::device {

// A device name that this process cannot use; what() says why.
class DeviceError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// True when this binary was built against a CUDA LibTorch (CMake option CSM_CUDA).
bool cuda_build();

// CUDA devices this process can use: 0 in a CPU build, without a driver, or with none visible
// (CUDA_VISIBLE_DEVICES).
int cuda_device_count();

// "cpu", "cuda" or "cuda:N" as a torch device. Throws DeviceError for another name, for a
// CUDA device in a CPU-only build, when no CUDA device is visible, or for an index past the
// last device.
c10::Device parse_torch_device(const std::string& name);

}  // namespace csm::device
