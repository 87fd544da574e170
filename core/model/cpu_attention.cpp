#include "core/model/cpu_attention.h"

#include <c10/util/Exception.h>

#include "core/model/cpu_kernels.h"

namespace csm::model {

bool cpu_attention_applicable(const at::Tensor& q, const at::Tensor& keys,
                              const at::Tensor& values) {
  const auto st = q.scalar_type();
  if (detail::kernel_isa(st) == detail::KernelIsa::none || keys.scalar_type() != st ||
      values.scalar_type() != st) {
    return false;
  }
  if (!q.device().is_cpu() || !keys.device().is_cpu() || !values.device().is_cpu()) return false;
  if (q.dim() != 4 || keys.dim() != 4 || values.sizes() != keys.sizes() || !q.is_contiguous()) {
    return false;
  }
  const int64_t hd = q.size(3);
  return hd % 16 == 0 && hd <= detail::kMaxAttentionHeadDim && keys.size(0) == q.size(0) &&
         keys.size(3) == hd && keys.size(1) > 0 && q.size(2) % keys.size(1) == 0 &&
         keys.stride(3) == 1 && values.stride(3) == 1;
}

at::Tensor cpu_attention(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& values,
                         int64_t start, float scale) {
  TORCH_CHECK(keys.size(2) == start + q.size(1), "cpu_attention: ", keys.size(2),
              " keys for rows at ", start, "..", start + q.size(1) - 1);
  return detail::kernels_for(q.scalar_type()).attention(q, keys, values, start, scale);
}

}  // namespace csm::model
