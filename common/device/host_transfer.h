// Copies between the host and the model's device that do not make the host wait for the
// device, except where a caller asks for results: on a GPU every blocking copy (a host
// tensor's `.to(cuda)`, a result's `.to(kCPU)`, `.item()`) stops the host until all queued
// work is done, and while it waits no further work is queued, so the GPU idles between ticks.
// A tick uploads its small inputs with to_device() and brings its results back with one
// to_host() call: one wait per tick. On a CPU device all of these are plain copies or nothing.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <vector>

namespace csm::device {

// An uninitialized host tensor to copy to or from `device` without waiting: for a CUDA device
// page-locked memory from LibTorch's caching host allocator, which does not hand a block out
// again before the copies queued on it are done (so it may be dropped right after queuing
// one); ordinary memory otherwise.
at::Tensor host_staging(at::IntArrayRef sizes, at::ScalarType dtype, c10::Device device);

// `tensor` on `device`. A host tensor bound for a CUDA device goes through host_staging():
// the copy is queued and this returns at once (later work on the device's current stream
// sees the values). Anything else is `tensor.to(device)` (nothing when it is there already).
at::Tensor to_device(const at::Tensor& tensor, c10::Device device);

// Every tensor on the host: copies from a CUDA device go into host_staging() memory, all
// queued first, then one wait for the device's current stream. Host tensors come back as
// they are. Throws std::invalid_argument when the tensors are on different CUDA devices.
std::vector<at::Tensor> to_host(const std::vector<at::Tensor>& tensors);

}  // namespace csm::device
