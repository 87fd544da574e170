// RMSNorm, the SwiGLU gate and RoPE as single AVX512 or AVX2 passes over each row (the set is
// chosen per CPU and dtype: cpu_kernels.h; the kernels: simd_kernels.h), for token-by-token
// decoding on CPU. LibTorch runs each as 5-8 separate ops (casts, pow, mean, rsqrt, silu,
// mul), each with its own dispatch and memory pass: at batch 8 in csm-1b's 31-step decoder
// loop they cost about a sixth of the frame time.
//
// Same arithmetic as the LibTorch versions in ops.cpp, including where bf16 rounds: RMSNorm
// rounds the normalised row to bf16 before the gain; SwiGLU rounds silu(gate) to bf16 before
// the product; RoPE rounds once at the end. Only the order of RMSNorm's fp32 sum of squares
// differs (RoPE is bit-identical in fp32).
#pragma once

#include <ATen/Tensor.h>

namespace csm::model {

// True when the fused kernels take x: a contiguous 2-D CPU tensor of bf16 or fp32 on a CPU
// with AVX2 and FMA (or AVX512), with a last dimension that is a multiple of 16.
bool cpu_elementwise_applicable(const at::Tensor& x);

// Requires cpu_elementwise_applicable(x); gain [D] of x's dtype, contiguous.
at::Tensor cpu_rms_norm(const at::Tensor& x, const at::Tensor& gain, float eps);

// Requires cpu_elementwise_applicable(gate_up), gate_up [T, 2*F]: silu(gate) * up, [T, F].
at::Tensor cpu_swiglu(const at::Tensor& gate_up);

// x [T, H, hd] whose heads are contiguous (any stride between rows, e.g. a slice of the fused
// q/k/v output), of a dtype cpu_elementwise_applicable accepts, hd a multiple of 16; cos, sin
// [T, hd/2] fp32 contiguous. Rotates interleaved pairs (spec 2.2); contiguous [T, H, hd].
bool cpu_rope_applicable(const at::Tensor& x, const at::Tensor& cos);
at::Tensor cpu_rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin);

}  // namespace csm::model
