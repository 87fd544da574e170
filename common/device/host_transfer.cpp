#include "common/device/host_transfer.h"

#include <ATen/ATen.h>

#include <optional>
#include <stdexcept>

#ifdef CSM_WITH_CUDA
#include <c10/cuda/CUDAStream.h>
#endif

namespace csm::device {

at::Tensor host_staging(at::IntArrayRef sizes, at::ScalarType dtype, c10::Device device) {
  return at::empty(sizes, at::TensorOptions().dtype(dtype).pinned_memory(device.is_cuda()));
}

at::Tensor to_device(const at::Tensor& tensor, c10::Device device) {
  if (!(device.is_cuda() && tensor.device().is_cpu())) return tensor.to(device);
  at::Tensor staged = host_staging(tensor.sizes(), tensor.scalar_type(), device);
  staged.copy_(tensor);
  return staged.to(device, /*non_blocking=*/true);
}

std::vector<at::Tensor> to_host(const std::vector<at::Tensor>& tensors) {
  std::vector<at::Tensor> out;
  out.reserve(tensors.size());
  std::optional<c10::Device> waited_on;
  for (const at::Tensor& t : tensors) {
    if (!t.defined() || t.device().is_cpu()) {
      out.push_back(t);
      continue;
    }
    if (!t.device().is_cuda()) {
      out.push_back(t.to(at::kCPU));
      continue;
    }
    if (waited_on && *waited_on != t.device()) {
      throw std::invalid_argument("to_host: tensors on " + waited_on->str() + " and " +
                                  t.device().str());
    }
    waited_on = t.device();
    at::Tensor host = host_staging(t.sizes(), t.scalar_type(), t.device());
    host.copy_(t, /*non_blocking=*/true);
    out.push_back(host);
  }
  if (waited_on) {
#ifdef CSM_WITH_CUDA
    c10::cuda::getCurrentCUDAStream(waited_on->index()).synchronize();
#else
    throw std::logic_error("to_host: a CUDA tensor in a build without CUDA");
#endif
  }
  return out;
}

}  // namespace csm::device
