// y = x · wᵀ for bfloat16 x [T, K] and w [N, K] with AVX512-BF16 dot products (fp32
// accumulation, one rounding to bf16 per output), multi-threaded over the rows of w.
//
// Why: LibTorch 1.13's CPU bf16 matmul falls back to a slow generic path for the small-T
// shapes of token-by-token decoding; this kernel streams each weight row once per call (per
// 8 rows of x, from L2 after the first), which is what a memory-bound decoder needs.
#pragma once

#include <ATen/Tensor.h>

namespace csm::model {

// True when the kernel can run on this CPU (AVX512-BF16) for these operands: CPU, bf16,
// x [T, K] and w [N, K] (w contiguous), K a multiple of 32.
bool bf16_gemm_applicable(const at::Tensor& x, const at::Tensor& w);

// Requires bf16_gemm_applicable(x, w). Returns bf16 [T, N].
at::Tensor bf16_gemm(const at::Tensor& x, const at::Tensor& w);

}  // namespace csm::model
