#include "core/model/cpu_kernels.h"

#include <algorithm>
#include <atomic>

#include <c10/util/Exception.h>

#include "common/cpu/features.h"

namespace csm::model::detail {
namespace {

std::atomic<KernelIsa> widest_allowed{KernelIsa::avx512};

KernelIsa widest_available(c10::ScalarType type) {
  if (type != at::kBFloat16 && type != at::kFloat) return KernelIsa::none;
  if (cpu::kernels_support(type)) return KernelIsa::avx512;
  return cpu::has_avx2() ? KernelIsa::avx2 : KernelIsa::none;
}

}  // namespace

KernelIsa kernel_isa(c10::ScalarType type) {
  // The enumerators are ordered by width.
  return std::min(widest_available(type), widest_allowed.load(std::memory_order_relaxed));
}

void limit_kernel_isa(KernelIsa widest) { widest_allowed.store(widest); }

const KernelSet& kernels_for(c10::ScalarType type) {
  switch (kernel_isa(type)) {
    case KernelIsa::avx512:
      return avx512_kernels();
    case KernelIsa::avx2:
      return avx2_kernels();
    case KernelIsa::none:
      break;
  }
  TORCH_CHECK(false, "fused CPU kernels: none for ", type, " here");
}

}  // namespace csm::model::detail
