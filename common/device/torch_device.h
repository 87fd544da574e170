// Which torch device a configuration names, checked against what this build and this machine
// have, so that "model.device": "cuda" on a CPU-only build or a machine without a GPU fails at
// start-up with one clear sentence instead of a LibTorch dispatcher error at the first tensor.
#pragma once

#include <c10/core/Device.h>

#include <string>

#include "common/device/device_name.h"

namespace csm::device {

// True when this binary was built against a CUDA LibTorch (CMake option CSM_CUDA).
bool cuda_build();

// CUDA devices this process can use: 0 in a CPU build, without a driver, or with none visible
// (CUDA_VISIBLE_DEVICES).
int cuda_device_count();

// "cpu", "cuda" or "cuda:N" as a torch device. Throws DeviceError for another name, for a
// CUDA device in a CPU-only build, when no CUDA device is visible, or for an index past the
// last device.
c10::Device parse_torch_device(const std::string& name);

// fp32 on a GPU computes in fp32: turns off TF32 in cuBLAS matmuls and cuDNN convolutions for
// the whole process (the parity tools' tolerances are for fp32 arithmetic; no effect on a CPU).
void disable_tf32();

}  // namespace csm::device
