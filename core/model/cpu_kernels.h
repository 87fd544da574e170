// Internal to core/model (and its tests and csm-bench-model): the fused CPU kernels (RMSNorm,
// SwiGLU, RoPE, attention) per instruction set. cpu_elementwise.h and cpu_attention.h pick the
// set for the running CPU; the tests call each set directly, so an AVX512 machine checks the
// AVX2 set too. Preconditions are those of the public functions, already checked by their
// callers.
#pragma once

#include <ATen/Tensor.h>

namespace csm::model::detail {

enum class KernelIsa { none, avx2, avx512 };

// The attention kernel keeps a query head in registers (or on the stack): head_dim up to this.
constexpr int64_t kMaxAttentionHeadDim = 256;

// The widest set that takes elements of `type` on this CPU: avx512 for bf16 with AVX512-BF16
// and for fp32 with AVX512F; avx2 for either with AVX2 and FMA; none for other types.
KernelIsa kernel_isa(c10::ScalarType type);

// The widest set kernel_isa() may return from now on (none: LibTorch's ops everywhere;
// avx512, the default: no limit), so csm-bench-model times each set and LibTorch's ops on one
// loaded model. Process-wide; not while a model runs on another thread.
void limit_kernel_isa(KernelIsa widest);

// One instruction set's kernels, for tensors of bf16 or fp32 (simd_kernels.h).
struct KernelSet {
  const char* name;  // "avx512", "avx2"
  at::Tensor (*rms_norm)(const at::Tensor& x, const at::Tensor& gain, float eps);
  at::Tensor (*swiglu)(const at::Tensor& gate_up);
  at::Tensor (*rope)(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin);
  at::Tensor (*attention)(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& values,
                          int64_t start, float scale);
};

// The sets (cpu_kernels_avx512.cpp, cpu_kernels_avx2.cpp): only call one the CPU has.
const KernelSet& avx512_kernels();
const KernelSet& avx2_kernels();

// The set kernel_isa(type) names; throws c10::Error when it is none (the callers' applicable()
// checks said yes).
const KernelSet& kernels_for(c10::ScalarType type);

}  // namespace csm::model::detail
