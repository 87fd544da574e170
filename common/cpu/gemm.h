// y = x · wᵀ for few rows of x (token-by-token decoding) on AVX512 CPUs:
//   bf16: x [T, K], w [N, K] bf16, AVX512-BF16 dot products, fp32 accumulation, one rounding
//         to bf16 per output;
//   fp32: x [T, K], w [N, K] fp32, AVX512 FMA.
// Rows of x are processed up to 8 at a time per block of 48 weight rows (the block stays in
// L2), so prompts of many rows read the weights from memory once. Multi-threaded over the rows
// of w (at::parallel_for), with software prefetch: batch-1 calls run at memory bandwidth.
// Used by the CSM model (core/model) and Mimi's transformer (codec/mimi).
//
// Why: LibTorch 1.13's CPU bf16 matmul falls back to a slow generic path, and its fp32 GEMV
// goes through OpenBLAS, which on this project's machines runs generic SSE kernels and whose
// own thread pool fights OpenMP's. Decoding is memory-bound: these kernels stream every weight
// row exactly once per call (from L2 for further groups of x rows).
#pragma once

#include <ATen/Tensor.h>

namespace csm::cpu {

// True when a kernel exists for these operands on this CPU: CPU tensors of one dtype
// (bf16 with AVX512-BF16, or fp32 with AVX512F), x [T, K], w [N, K] (w contiguous),
// K a multiple of 32.
bool gemm_applicable(const at::Tensor& x, const at::Tensor& w);

// Requires gemm_applicable(x, w). Returns [T, N] in x's dtype.
at::Tensor gemm(const at::Tensor& x, const at::Tensor& w);

}  // namespace csm::cpu
