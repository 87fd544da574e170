// The spelling of a torch device name in a configuration, checked without LibTorch, so that
// config validation (and its fuzzer) need no torch. torch_device.h checks the rest: whether this
// build and machine have the device.
#pragma once

#include <stdexcept>
#include <string>

namespace csm::device {

// A device name that this process cannot use; what() says why.
class DeviceError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Checks only the spelling: "cpu", "cuda" or "cuda:N"; throws DeviceError for another name.
// For configuration checks that must pass on any machine (a GPU config validates on a laptop).
void check_torch_device_name(const std::string& name);

}  // namespace csm::device
