#include "core/model/ops.h"

#include <torch/torch.h>

#include "common/cpu/gemm.h"
#include "core/model/cpu_elementwise.h"

namespace csm::model {

at::Tensor dense(const at::Tensor& x, const DenseWeight& w) {
  if (w.is_int8()) {
    if (cpu::gemm_int8_applicable(x, w.values, w.scales)) {
      return cpu::gemm_int8(x, w.values, w.scales);
    }
    return (at::linear(x.to(torch::kFloat), w.values.to(torch::kFloat)) * w.scales)
        .to(x.scalar_type());
  }
  if (cpu::gemm_applicable(x, w.values)) return cpu::gemm(x, w.values);
  return at::linear(x, w.values);
}

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& gain, double eps) {
  if (cpu_elementwise_applicable(x)) return cpu_rms_norm(x, gain, static_cast<float>(eps));
  const at::Tensor xf = x.to(torch::kFloat);
  const at::Tensor normed = xf * torch::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return normed.to(x.scalar_type()) * gain;
}

at::Tensor swiglu(const at::Tensor& gate_up) {
  if (cpu_elementwise_applicable(gate_up) && gate_up.size(1) % 32 == 0) return cpu_swiglu(gate_up);
  const int64_t inter = gate_up.size(-1) / 2;
  return torch::silu(gate_up.narrow(-1, 0, inter)) * gate_up.narrow(-1, inter, inter);
}

}  // namespace csm::model
