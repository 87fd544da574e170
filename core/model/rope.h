// Llama-3 scaled rotary position embedding with interleaved pairs (spec csm.md 2.2).
//
// The inverse frequencies and the cos/sin tables are computed in fp32 with the reference's
// operation order, so theta matches the reference bit for bit.
#pragma once

#include <ATen/Tensor.h>

#include "core/model/csm_config.h"

namespace csm::model {

// Scaled inverse frequencies, fp32 [head_dim / 2], on the CPU.
at::Tensor rope_theta(int head_dim, const RopeConfig& rope);

// cos and sin tables, each fp32 [max_seq_len, head_dim / 2], on the CPU.
struct RopeTable {
  at::Tensor cos;
  at::Tensor sin;
};
RopeTable rope_table(int head_dim, int max_seq_len, const RopeConfig& rope);

// Rotates x [T, heads, head_dim] whose row t has cos/sin rows cos[t], sin[t] ([T, head_dim/2],
// fp32). Computed in fp32; the result has x's dtype.
at::Tensor apply_rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin);

}  // namespace csm::model
