// Mimi's streaming transformer (spec §3.6, §5): pre-norm layers with interleaved RoPE,
// causal attention over a window of `context` steps, layer scale, exact GELU.
//
// Streaming state per slot: the absolute step of the next input (RoPE and mask position),
// the absolute step stored in each ring-buffer entry (-1 = empty), and per layer the
// post-RoPE keys and values [heads, capacity, head_dim]. A call first writes its T new keys
// at ring index step % capacity, then attends to every stored key k with
// 0 <= step_q - step_k < context. capacity == context reproduces the reference streaming
// quirk; capacity >= context + T - 1 reproduces offline attention (spec §5).
#pragma once

#include "codec/mimi/config.h"
#include "codec/mimi/stream_state.h"
#include "codec/mimi/weights.h"

#include <ATen/Tensor.h>

#include <string>
#include <vector>

namespace csm::mimi {

// y = x W^T without bias. Calls of few rows (streaming: 2 rows per slot and frame) use the
// AVX512 GEMV kernels of common/cpu/gemm.h where the CPU has them. On CPU in fp32 a oneDNN
// copy of W serves calls of many rows (offline decode, encode), where it is ~2.5x faster than
// the BLAS path on the dev VM; the copy costs the weight's memory once more. Everything else
// goes to torch::linear.
class Linear {
 public:
  Linear() = default;
  explicit Linear(at::Tensor weight);
  at::Tensor operator()(const at::Tensor& x) const;

 private:
  at::Tensor weight_, onednn_weight_;
};

class StreamingTransformer {
 public:
  // prefix: "encoder_transformer" or "decoder_transformer" (canonical weight names).
  StreamingTransformer(const TransformerConfig& config, const std::string& prefix,
                       const Weights& weights, const c10::TensorOptions& options);
  void declare(StateLayout& layout, int64_t capacity) const;
  // x [B, D, T] (conv layout) -> [B, D, T]. T must not exceed the state's ring capacity.
  at::Tensor step(const at::Tensor& x, StateCursor& cursor) const;

 private:
  struct Layer {
    at::Tensor norm1_w, norm1_b, norm2_w, norm2_b, ls1, ls2;
    Linear in_proj, out_proj, linear1, linear2;
  };
  at::Tensor layer_step(const Layer& layer, at::Tensor h, const at::Tensor& cos,
                        const at::Tensor& sin, const at::Tensor& ring_index, const at::Tensor& mask,
                        at::Tensor& keys, at::Tensor& values) const;

  TransformerConfig config_;
  std::vector<Layer> layers_;
  at::Tensor inv_freq_;  // [head_dim/2] fp32
};

}  // namespace csm::mimi
