// The fused CPU kernels' instruction sets this CPU can run for a dtype (cpu_kernels.h), so a
// test checks each of them: AVX2 only here on an AVX2 machine, both on an AVX512 one. In
// tests/avx512_emulated's binary, which compiles these tests again, the AVX512 set alone: its
// code runs there on SIMDe's portable intrinsics, on any CPU.
#pragma once

#include <ATen/Tensor.h>

#include <vector>

#include "common/cpu/features.h"
#include "core/model/cpu_kernels.h"

namespace csm::test {

inline std::vector<const csm::model::detail::KernelSet*> kernel_sets(c10::ScalarType type) {
  namespace d = csm::model::detail;
  std::vector<const d::KernelSet*> sets;
#ifdef CSM_EMULATED_AVX512
  sets.push_back(&d::avx512_kernels());
#else
  if (cpu::has_avx2()) sets.push_back(&d::avx2_kernels());
  if (d::kernel_isa(type) == d::KernelIsa::avx512) sets.push_back(&d::avx512_kernels());
#endif
  return sets;
}

}  // namespace csm::test
