#include "core/model/cpu_elementwise.h"

#include <c10/util/Exception.h>

#include "core/model/cpu_kernels.h"

namespace csm::model {

using detail::KernelIsa;
using detail::kernels_for;

bool cpu_elementwise_applicable(const at::Tensor& x) {
  return x.device().is_cpu() && x.dim() == 2 && x.is_contiguous() && x.size(1) % 16 == 0 &&
         detail::kernel_isa(x.scalar_type()) != KernelIsa::none;
}

at::Tensor cpu_rms_norm(const at::Tensor& x, const at::Tensor& gain, float eps) {
  const at::Tensor g = gain.to(x.scalar_type()).contiguous();
  TORCH_CHECK(g.numel() == x.size(1), "rms_norm: gain of ", g.numel(), " for rows of ", x.size(1));
  return kernels_for(x.scalar_type()).rms_norm(x, g, eps);
}

at::Tensor cpu_swiglu(const at::Tensor& gate_up) {
  TORCH_CHECK(gate_up.size(1) % 32 == 0, "swiglu: width ", gate_up.size(1), " not 2 x 16k");
  return kernels_for(gate_up.scalar_type()).swiglu(gate_up);
}

bool cpu_rope_applicable(const at::Tensor& x, const at::Tensor& cos) {
  return detail::kernel_isa(x.scalar_type()) != KernelIsa::none && x.device().is_cpu() &&
         x.dim() == 3 && x.size(2) % 16 == 0 && x.stride(2) == 1 && x.stride(1) == x.size(2) &&
         cos.device().is_cpu() && cos.scalar_type() == at::kFloat && cos.dim() == 2 &&
         cos.size(0) == x.size(0) && cos.size(1) * 2 == x.size(2);
}

at::Tensor cpu_rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  const at::Tensor c = cos.contiguous(), s = sin.contiguous();
  return kernels_for(x.scalar_type()).rope(x, c, s);
}

}  // namespace csm::model
