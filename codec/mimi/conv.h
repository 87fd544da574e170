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
  CausalConv1d(at::Tensor weight, at::Tensor bias, int64_t stride, int64_t dilation,
               int64_t groups, bool replicate_pad);
  // Declares: prev [in, P] when P > 0; a first-call flag when replicate_pad.
  void declare(StateLayout& layout) const;
  // x [B, in, T] with T a multiple of stride.
  at::Tensor step(const at::Tensor& x, StateCursor& cursor) const;

 private:
  at::Tensor weight_, bias_;
  int64_t stride_ = 1, dilation_ = 1, groups_ = 1, context_ = 0;
  bool replicate_ = false;
};

// ConvTranspose1d with kernel = 2*stride whose overlapping tail (minus the bias) is carried to
// the next call; each call emits T*stride final samples.
class CausalConvTranspose1d {
 public:
  CausalConvTranspose1d() = default;
  // weight [in, out/groups, k]; bias [out] or undefined.
  CausalConvTranspose1d(at::Tensor weight, at::Tensor bias, int64_t stride, int64_t groups);
  // Declares: partial [out, k - stride].
  void declare(StateLayout& layout) const;
  at::Tensor step(const at::Tensor& x, StateCursor& cursor) const;

 private:
  at::Tensor weight_, bias_;
  int64_t stride_ = 1, groups_ = 1, out_channels_ = 0, tail_ = 0;
};

}  // namespace csm::mimi
