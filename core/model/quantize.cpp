#include "core/model/quantize.h"

#include <torch/torch.h>

#include <stdexcept>

namespace csm::model {

int64_t DenseWeight::bytes() const {
  int64_t b = values.numel() * values.element_size();
  if (scales.defined()) b += scales.numel() * scales.element_size();
  return b;
}

WeightFormat parse_weight_format(const std::string& name) {
  if (name == "dtype") return WeightFormat::Dtype;
  if (name == "int8") return WeightFormat::Int8;
  throw std::invalid_argument("unknown weight format '" + name + "' (dtype, int8)");
}

const char* weight_format_name(WeightFormat format) {
  return format == WeightFormat::Int8 ? "int8" : "dtype";
}

DenseWeight quantize_int8(const at::Tensor& w) {
  if (w.dim() != 2 || !w.is_floating_point()) {
    throw std::invalid_argument("quantize_int8: wants a 2-D float tensor");
  }
  torch::NoGradGuard no_grad;
  const at::Tensor wf = w.to(torch::kCPU, torch::kFloat);
  const at::Tensor amax = std::get<0>(wf.abs().max(1));
  const at::Tensor scales = amax / 127.0f;
  // An all-zero row: any divisor gives zeros; 1 avoids 0/0.
  const at::Tensor divisor = torch::where(amax > 0, scales, torch::ones_like(scales));
  const at::Tensor values =
      torch::round(wf / divisor.unsqueeze(1)).clamp(-127, 127).to(torch::kChar).contiguous();
  return {values, scales.contiguous()};
}

at::Tensor dequantize(const DenseWeight& w) {
  if (!w.is_int8()) return w.values.to(torch::kFloat);
  return w.values.to(torch::kFloat) * w.scales.unsqueeze(1);
}

}  // namespace csm::model
