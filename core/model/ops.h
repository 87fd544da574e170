// Elementary layers shared by both transformer stacks.
#pragma once

#include <ATen/Tensor.h>

#include "core/model/dense_weight.h"

namespace csm::model {

// y = x · wᵀ for x [T, in], w [out, in] (no bias anywhere in CSM), in x's dtype. Uses our CPU
// kernels where they apply (common/cpu/gemm.h), otherwise at::linear (int8 weights: on their
// fp32 values, a slow path for CPUs without AVX2).
at::Tensor dense(const at::Tensor& x, const DenseWeight& w);

// RMSNorm (spec 2.1): normalised in fp32, cast back to x's dtype, then times the gain.
at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& gain, double eps);

// SwiGLU gate for the fused w1/w3 output [T, 2*inter]: silu(first half) * second half.
at::Tensor swiglu(const at::Tensor& gate_up);

}  // namespace csm::model
