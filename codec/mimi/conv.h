// Causal streaming convolutions (spec §3.1, §3.2) with their state in a StreamState.
//
// Shapes: inputs [B, C_in, T], outputs [B, C_out, T/stride] (conv) or [B, C_out, T*stride]
// (transposed conv). B is the number of rows of the state passed in. Weights are read-only
// and may be shared by any number of threads; state buffers are written in place.
#pragma once

#include "codec/mimi/stream_state.h"

#include <ATen/Tensor.h>

namespace csm::mimi {

// Conv1d with left context P = (k-1)*dilation + 1 - stride carried between calls. Offline
// use is one call on a fresh state (zero state = zero left padding; replicate pad mode
// copies the first input step, as the reference does).
class CausalConv1d {
 public:
  CausalConv1d() = default;
  // weight [out, in/groups, k]; bias [out] or undefined.
  CausalConv1d(at::Tensor weight, at::Tensor bias, int64_t stride, int64_t dilation, int64_t groups,
               bool replicate_pad);
  // Declares: prev [in, P] when P > 0; a first-call flag when replicate_pad.
  void declare(StateLayout& layout) const;
  // x [B, in, T] with T a multiple of stride.
  at::Tensor step(const at::Tensor& x, StateCursor& cursor) const;

 private:
  at::Tensor weight_, bias_;
  // A copy of a large weight as a matrix: streaming calls (few output steps) run as one
  // GEMM, which avoids the per-call im2col / weight reorder of the conv kernels. Undefined
  // for small, grouped or dilated convs. One of the two layouts:
  at::Tensor gemm_weight_;  // [in*k, out] for BLAS
  at::Tensor gemv_weight_;  // [out, in*k] for common/cpu/gemm.h where the CPU has it
  int64_t stride_ = 1, dilation_ = 1, groups_ = 1, context_ = 0;
  bool replicate_ = false;
};

// ConvTranspose1d with stride S <= kernel <= 2S, trimmed causally: each call emits T*S final
// samples. Output sample j*S + r depends only on inputs j and j-1, so it is computed as a
// causal kernel-2 Conv1d into out*S channels followed by an interleave; the streaming state
// is the previous input step. This equals the reference's carried "partial tail minus bias"
// (spec §3.2) in exact arithmetic and avoids the slow transposed-conv kernels.
class CausalConvTranspose1d {
 public:
  CausalConvTranspose1d() = default;
  // weight [in, out/groups, k]; bias [out] or undefined.
  CausalConvTranspose1d(const at::Tensor& weight, const at::Tensor& bias, int64_t stride,
                        int64_t groups);
  // Declares: the previous input step [in, 1].
  void declare(StateLayout& layout) const { conv_.declare(layout); }
  // x [B, in, T] -> [B, out, T*stride]
  at::Tensor step(const at::Tensor& x, StateCursor& cursor) const;

 private:
  CausalConv1d conv_;
  int64_t stride_ = 1, out_channels_ = 0;
};

}  // namespace csm::mimi
