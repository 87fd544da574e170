// Whole-tensor products on the AVX512 GEMV/GEMM kernels of common/cpu (gemm_kernels.h), called
// directly: on whichever detail::avx512_rows the binary links, the real kernels or
// tests/avx512_emulated's emulated ones in their place. x's rows go in passes of at most
// kMaxRowsX, as gemm.cpp takes them; all of w's rows at once (the split over threads is
// gemm.cpp's). Callers make sure the kernels can run (the real ones need the CPU's AVX512).
#pragma once

#include <torch/torch.h>

#include <algorithm>
#include <cstdint>

#include "common/cpu/gemm_kernels.h"

namespace csm::test {

// x · wᵀ on the AVX512 kernel of x's dtype: bf16 (AVX512-BF16 dot products) or fp32 (FMA).
inline at::Tensor avx512_gemm(const at::Tensor& x, const at::Tensor& w) {
  namespace kernels = csm::cpu::detail;
  const int64_t T = x.size(0), K = x.size(1), N = w.size(0);
  at::Tensor out = torch::empty({T, N}, x.options());
  for (int64_t t0 = 0; t0 < T; t0 += kernels::kMaxRowsX) {
    const int64_t tb = std::min(kernels::kMaxRowsX, T - t0);
    if (x.scalar_type() == torch::kFloat) {
      kernels::avx512_rows(tb, x.data_ptr<float>() + t0 * K, w.data_ptr<float>(),
                           out.data_ptr<float>() + t0 * N, K, N, 0, N);
    } else {
      kernels::avx512_rows(tb,
                           reinterpret_cast<const uint16_t*>(x.data_ptr<at::BFloat16>()) + t0 * K,
                           reinterpret_cast<const uint16_t*>(w.data_ptr<at::BFloat16>()),
                           out.data_ptr<at::BFloat16>() + t0 * N, K, N, 0, N);
    }
  }
  return out;
}

// x · wᵀ · diag(scales) on the AVX512-VNNI int8 kernel, in x's dtype (fp32 or bf16); x is
// prepared by the AVX2 code, as gemm_int8 does.
inline at::Tensor avx512_gemm_int8(const at::Tensor& x, const at::Tensor& w,
                                   const at::Tensor& scales) {
  namespace kernels = csm::cpu::detail;
  const int64_t T = x.size(0), K = x.size(1), N = w.size(0);
  const at::Tensor xq = kernels::avx2_x(x, at::kChar);
  at::Tensor out = torch::empty({T, N}, x.options());
  for (int64_t t0 = 0; t0 < T; t0 += kernels::kMaxRowsX) {
    const int64_t tb = std::min(kernels::kMaxRowsX, T - t0);
    const float* xp = xq.data_ptr<float>() + t0 * K;
    if (x.scalar_type() == torch::kFloat) {
      kernels::avx512_rows(tb, xp, w.data_ptr<int8_t>(), scales.data_ptr<float>(),
                           out.data_ptr<float>() + t0 * N, K, N, 0, N);
    } else {
      kernels::avx512_rows(tb, xp, w.data_ptr<int8_t>(), scales.data_ptr<float>(),
                           out.data_ptr<at::BFloat16>() + t0 * N, K, N, 0, N);
    }
  }
  return out;
}

}  // namespace csm::test
