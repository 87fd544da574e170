// Elementary layers shared by both transformer stacks.
#pragma once

#include <ATen/Tensor.h>

namespace csm::model {

// y = x · wᵀ for x [T, in], w [out, in] (no bias anywhere in CSM). Uses our AVX512 kernels
// where they apply (see common/cpu/gemm.h), otherwise at::linear.
at::Tensor dense(const at::Tensor& x, const at::Tensor& w);

// RMSNorm (spec 2.1): normalised in fp32, cast back to x's dtype, then times the gain.
at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& gain, double eps);

// SwiGLU gate for the fused w1/w3 output [T, 2*inter]: silu(first half) * second half.
at::Tensor swiglu(const at::Tensor& gate_up);

}  // namespace csm::model
