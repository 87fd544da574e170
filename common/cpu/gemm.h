// y = x · wᵀ for few rows of x (token-by-token decoding) on x86 CPUs with AVX512 or AVX2:
//   gemm, bf16: x [T, K], w [N, K] bf16, fp32 accumulation, one rounding to bf16 per output;
//               AVX512-BF16 dot products where the CPU has them (gemm_avx512.cpp), else AVX2
//               + FMA on weights widened to fp32 in registers (gemm_avx2.cpp);
//   gemm, fp32: x [T, K], w [N, K] fp32, AVX512 FMA only (gemm_avx512.cpp; without AVX512,
//               Mimi keeps LibTorch's fp32 path);
//   gemm_int8:  x [T, K] bf16 or fp32, w [N, K] int8 with one fp32 scale per row (weight-only
//               quantization, core/model/quantize.h): each x row is quantized to int16 with
//               its own scale (error <= max|x_row| / 65534 per element, far below bf16's
//               rounding), then exact integer dot products, AVX512-VNNI's vpdpwssd where the
//               CPU has it (gemm_int8_avx512.cpp), else AVX2's vpmaddwd (gemm_int8_avx2.cpp);
//               half the bytes of bf16, so up to twice the speed where memory bandwidth is the
//               limit.
// The ISA is chosen at run time (features.h); the project is compiled for generic x86-64 and
// the kernels carry function target attributes. gemm.cpp holds the entry points, the dispatch
// and the threading; gemm_kernels.h the per-ISA row-range kernels they call.
// Rows of x are processed up to 8 at a time per block of 48 weight rows (the block stays in
// L2), so prompts of many rows read the weights from memory once. Multi-threaded over the rows
// of w (at::parallel_for), with software prefetch: batch-1 calls run at memory bandwidth.
// Used by the CSM model (core/model/ops.cpp: dense) and Mimi's transformer (codec/mimi).
//
// Why: LibTorch 1.13's CPU bf16 matmul falls back to a slow generic path, and its fp32 GEMV
// goes through OpenBLAS, which on this project's machines runs generic SSE kernels and whose
// own thread pool fights OpenMP's. Decoding is memory-bound: these kernels stream every weight
// row exactly once per call (from L2 for further groups of x rows).
#pragma once

#include <ATen/Tensor.h>

namespace csm::cpu {

// True when a kernel exists for these operands on this CPU: CPU tensors of one dtype
// (bf16 with AVX512-BF16 or with AVX2 + FMA, fp32 with AVX512F), x [T, K], w [N, K]
// (w contiguous), K a multiple of 32.
bool gemm_applicable(const at::Tensor& x, const at::Tensor& w);

// Requires gemm_applicable(x, w). Returns [T, N] in x's dtype.
at::Tensor gemm(const at::Tensor& x, const at::Tensor& w);

// True when gemm_int8 takes these operands on this CPU: CPU tensors, x [T, K] bf16 or fp32,
// w [N, K] int8 contiguous, scales [N] fp32 contiguous, K a multiple of 32, AVX2 + FMA (every
// AVX512-VNNI CPU has them).
bool gemm_int8_applicable(const at::Tensor& x, const at::Tensor& w, const at::Tensor& scales);

// Requires gemm_int8_applicable(x, w, scales). Returns [T, N] in x's dtype, with x's rows
// quantized to int16 as said above:
// y[t][n] = scales[n] * Σ_k x[t][k] w[n][k], summed exactly in integers, rounded once.
at::Tensor gemm_int8(const at::Tensor& x, const at::Tensor& w, const at::Tensor& scales);

}  // namespace csm::cpu
