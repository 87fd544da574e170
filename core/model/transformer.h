// One Llama-style transformer stack (backbone or depth decoder) over a per-slot KV cache.
//
// Input rows of several sequences are fed together: sequence n owns `num_rows` consecutive
// rows of x, is bound to cache slot `slot` and its first row sits at position `start`
// (RoPE position and causal-mask row). Each sequence sees its own cache rows 0..position.
// Weights are shared and read-only; all mutable state is in the KvCache passed in.
// Thread: one engine thread per stack object and cache.
#pragma once

#include <ATen/Tensor.h>

#include <vector>

#include "core/model/csm_config.h"
#include "core/model/kv_cache.h"
#include "core/model/weights.h"

namespace csm::model {

struct SeqSpan {
  int slot = 0;      // cache slot
  int start = 0;     // position of the first row
  int num_rows = 1;  // rows of x belonging to this sequence, in order
};

// The rows of one forward call. Built on the host from small integers (no device sync).
class RowLayout {
 public:
  RowLayout(std::vector<SeqSpan> seqs, c10::Device device);
  const std::vector<SeqSpan>& seqs() const { return seqs_; }
  int64_t total_rows() const { return total_rows_; }
  const at::Tensor& positions() const { return positions_; }  // [T] int64 on the device
  // True when all sequences have the same start and length and use slots s0, s0+1, ...
  bool uniform() const { return uniform_; }

 private:
  std::vector<SeqSpan> seqs_;
  int64_t total_rows_ = 0;
  at::Tensor positions_;
  bool uniform_ = true;
};

class TransformerStack {
 public:
  TransformerStack(const StackConfig& config, const StackWeights& weights, c10::Device device);

  // x [T, D] in the activation dtype -> final-normed hidden states [T, D] (same dtype).
  // Writes the new rows' keys/values into `cache`. When `layer_outputs` is given it receives
  // the residual stream after each layer ([T, D] each, before the final norm).
  // Throws std::out_of_range when a row's position is outside the cache or RoPE table.
  at::Tensor forward(const at::Tensor& x, const RowLayout& layout, KvCache& cache,
                     std::vector<at::Tensor>* layer_outputs = nullptr) const;

  // One row per sequence, its position and cache slot given on the device, so that one CUDA
  // graph serves every decode step of B rows (BackboneStep): x [B, D]; positions, slots [B]
  // int64 on the device. Writes each row's key and value at (slot, position) and attends over
  // its slot's cache rows 0..context-1, keys past the row's position masked. The caller checks
  // on the host that every position is below `context`, context <= the cache length, and the
  // slots are distinct (nothing here reads them back). Same result as forward() up to the
  // rounding of the longer, masked softmax.
  at::Tensor forward_rows(const at::Tensor& x, const at::Tensor& positions,
                          const at::Tensor& slots, int context, KvCache& cache) const;

  // Removes rows [from, from + count) of `slot`'s cache, whose rows 0..length-1 are valid:
  // the rows after them move down by `count`, and their keys turn back by `count` positions
  // (RoPE is a rotation by an angle proportional to the position, so a key rotated for
  // position p, rotated again by -count, is the key for position p - count, up to one
  // rounding to the cache's dtype). Values do not depend on positions. What the moved rows
  // computed while the dropped rows were visible stays in them (in layers after the first):
  // the cache is then close to, not equal to, a fresh prefill of the kept rows.
  void drop_rows(KvCache& cache, int slot, int from, int count, int length) const;

  const StackConfig& config() const { return config_; }

 private:
  at::Tensor attention(int layer, const at::Tensor& x, const RowLayout& layout,
                       KvCache& cache, const at::Tensor& cos, const at::Tensor& sin) const;
  at::Tensor row_attention(int layer, const at::Tensor& x, const at::Tensor& positions,
                           const at::Tensor& slots, int context, const at::Tensor& hidden_keys,
                           KvCache& cache, const at::Tensor& cos, const at::Tensor& sin) const;
  at::Tensor mlp(int layer, const at::Tensor& h) const;
  at::Tensor attend(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& values,
                    int start) const;

  StackConfig config_;
  StackWeights weights_;
  at::Tensor rope_cos_;  // [max_seq_len, hd/2] fp32 on the device
  at::Tensor rope_sin_;
};

}  // namespace csm::model
