#include "core/model/transformer.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "common/device/host_transfer.h"
#include "core/model/cpu_attention.h"
#include "core/model/ops.h"
#include "core/model/rope.h"

namespace csm::model {
namespace {

// softmax(q · kᵀ · scale) · v in fp32 for grouped query heads: q [B, KV, R, hd], the rows of
// the G query heads that share each kv head (R = G x rows); keys and values [B, KV, L, hd];
// `hidden` true where a row must not see a key (broadcast to [B, KV, R, L]), or undefined.
// Returns [B, KV, R, hd] in fp32.
at::Tensor grouped_attention(const at::Tensor& q, const at::Tensor& keys,
                             const at::Tensor& values, const at::Tensor& hidden, double scale) {
  at::Tensor scores = torch::matmul(q.to(torch::kFloat), keys.to(torch::kFloat).transpose(2, 3)) *
                      scale;  // [B, KV, R, L]
  if (hidden.defined()) {
    scores = scores.masked_fill(hidden, -std::numeric_limits<float>::infinity());
  }
  return torch::matmul(torch::softmax(scores, -1), values.to(torch::kFloat));
}

}  // namespace

RowLayout::RowLayout(std::vector<SeqSpan> seqs, c10::Device device) : seqs_(std::move(seqs)) {
  std::vector<int64_t> positions;
  for (size_t n = 0; n < seqs_.size(); ++n) {
    const SeqSpan& s = seqs_[n];
    for (int r = 0; r < s.num_rows; ++r) positions.push_back(s.start + r);
    const SeqSpan& first = seqs_[0];
    if (s.start != first.start || s.num_rows != first.num_rows ||
        s.slot != first.slot + static_cast<int>(n)) {
      uniform_ = false;
    }
  }
  total_rows_ = static_cast<int64_t>(positions.size());
  positions_ = csm::device::to_device(torch::tensor(positions, torch::kLong), device);
}

TransformerStack::TransformerStack(const StackConfig& config, const StackWeights& weights,
                                   c10::Device device)
    : config_(config), weights_(weights) {
  const RopeTable table = rope_table(config.head_dim, config.max_seq_len, config.rope);
  rope_cos_ = table.cos.to(device);
  rope_sin_ = table.sin.to(device);
}

at::Tensor TransformerStack::forward(const at::Tensor& x, const RowLayout& layout, KvCache& cache,
                                     std::vector<at::Tensor>* layer_outputs) const {
  const int limit = std::min(cache.length(), config_.max_seq_len);
  for (const SeqSpan& s : layout.seqs()) {
    if (s.start < 0 || s.start + s.num_rows > limit || s.slot < 0 || s.slot >= cache.slots()) {
      throw std::out_of_range("transformer: rows " + std::to_string(s.start) + ".." +
                              std::to_string(s.start + s.num_rows - 1) + " of slot " +
                              std::to_string(s.slot) + " outside the cache (" +
                              std::to_string(limit) + " positions, " +
                              std::to_string(cache.slots()) + " slots)");
    }
  }
  const at::Tensor cos = rope_cos_.index_select(0, layout.positions());
  const at::Tensor sin = rope_sin_.index_select(0, layout.positions());
  at::Tensor h = x;
  for (int l = 0; l < config_.num_layers; ++l) {
    const LayerWeights& w = weights_.layers[l];
    h = h + attention(l, rms_norm(h, w.sa_norm, config_.norm_eps), layout, cache, cos, sin);
    h = h + mlp(l, h);
    if (layer_outputs != nullptr) layer_outputs->push_back(h);
  }
  return rms_norm(h, weights_.norm, config_.norm_eps);
}

at::Tensor TransformerStack::mlp(int layer, const at::Tensor& h) const {
  const LayerWeights& w = weights_.layers[layer];
  return dense(swiglu(dense(rms_norm(h, w.mlp_norm, config_.norm_eps), w.w13)), w.w2);
}

at::Tensor TransformerStack::forward_rows(const at::Tensor& x, const at::Tensor& positions,
                                          const at::Tensor& slots, int context,
                                          KvCache& cache) const {
  if (context < 1 || context > std::min(cache.length(), config_.max_seq_len)) {
    throw std::out_of_range("transformer: context " + std::to_string(context) +
                            " outside the cache (" + std::to_string(cache.length()) + " rows)");
  }
  const at::Tensor cos = rope_cos_.index_select(0, positions);
  const at::Tensor sin = rope_sin_.index_select(0, positions);
  // Row b sees keys 0..positions[b]: [B, context], true where hidden.
  const at::Tensor hidden_keys =
      torch::arange(context, positions.options()).unsqueeze(0) > positions.unsqueeze(1);
  at::Tensor h = x;
  for (int l = 0; l < config_.num_layers; ++l) {
    const LayerWeights& w = weights_.layers[l];
    h = h + row_attention(l, rms_norm(h, w.sa_norm, config_.norm_eps), positions, slots, context,
                          hidden_keys, cache, cos, sin);
    h = h + mlp(l, h);
  }
  return rms_norm(h, weights_.norm, config_.norm_eps);
}

at::Tensor TransformerStack::row_attention(int layer, const at::Tensor& x,
                                           const at::Tensor& positions, const at::Tensor& slots,
                                           int context, const at::Tensor& hidden_keys,
                                           KvCache& cache, const at::Tensor& cos,
                                           const at::Tensor& sin) const {
  using torch::indexing::Slice;
  const int64_t B = x.size(0), H = config_.num_heads, KV = config_.num_kv_heads,
                G = H / KV, hd = config_.head_dim;
  const at::Tensor qkv = dense(x, weights_.layers[layer].wqkv);
  const at::Tensor q = apply_rope(qkv.narrow(1, 0, H * hd).view({B, H, hd}), cos, sin);
  const at::Tensor k = apply_rope(qkv.narrow(1, H * hd, KV * hd).view({B, KV, hd}), cos, sin);
  const at::Tensor v = qkv.narrow(1, (H + KV) * hd, KV * hd).view({B, KV, hd});
  // cache[slot_b, :, position_b, :] = row b's key / value.
  cache.k(layer).index_put_({slots, Slice(), positions}, k);
  cache.v(layer).index_put_({slots, Slice(), positions}, v);
  const at::Tensor keys = cache.k(layer).narrow(2, 0, context).index_select(0, slots);
  const at::Tensor values = cache.v(layer).narrow(2, 0, context).index_select(0, slots);
  // Query head h uses kv head h / G (as attend()): [B, KV, G, hd]; each row hides the keys
  // past its position.
  const at::Tensor out = grouped_attention(q.view({B, KV, G, hd}), keys, values,
                                           hidden_keys.view({B, 1, 1, context}),
                                           1.0 / std::sqrt(static_cast<double>(hd)));
  return dense(out.reshape({B, H * hd}).to(x.scalar_type()), weights_.layers[layer].wo);
}

at::Tensor TransformerStack::attention(int layer, const at::Tensor& x, const RowLayout& layout,
                                       KvCache& cache, const at::Tensor& cos,
                                       const at::Tensor& sin) const {
  const int64_t T = x.size(0), H = config_.num_heads, KV = config_.num_kv_heads,
                hd = config_.head_dim;
  const at::Tensor qkv = dense(x, weights_.layers[layer].wqkv);
  const at::Tensor q = apply_rope(qkv.narrow(1, 0, H * hd).view({T, H, hd}), cos, sin);
  const at::Tensor k = apply_rope(qkv.narrow(1, H * hd, KV * hd).view({T, KV, hd}), cos, sin);
  const at::Tensor v = qkv.narrow(1, (H + KV) * hd, KV * hd).view({T, KV, hd});

  at::Tensor& k_cache = cache.k(layer);
  at::Tensor& v_cache = cache.v(layer);
  at::Tensor out;
  if (layout.uniform()) {
    // Same start and length for every sequence on consecutive slots: one batched attention.
    const SeqSpan& s0 = layout.seqs()[0];
    const int64_t N = static_cast<int64_t>(layout.seqs().size()), n = s0.num_rows;
    at::Tensor keys = k_cache.narrow(0, s0.slot, N);
    at::Tensor values = v_cache.narrow(0, s0.slot, N);
    keys.narrow(2, s0.start, n).copy_(k.view({N, n, KV, hd}).transpose(1, 2));
    values.narrow(2, s0.start, n).copy_(v.view({N, n, KV, hd}).transpose(1, 2));
    out = attend(q.view({N, n, H, hd}), keys.narrow(2, 0, s0.start + n),
                 values.narrow(2, 0, s0.start + n), s0.start);
  } else {
    std::vector<at::Tensor> outs;
    int64_t row = 0;
    for (const SeqSpan& s : layout.seqs()) {
      at::Tensor keys = k_cache.narrow(0, s.slot, 1);
      at::Tensor values = v_cache.narrow(0, s.slot, 1);
      keys.narrow(2, s.start, s.num_rows)
          .copy_(k.narrow(0, row, s.num_rows).transpose(0, 1).unsqueeze(0));
      values.narrow(2, s.start, s.num_rows)
          .copy_(v.narrow(0, row, s.num_rows).transpose(0, 1).unsqueeze(0));
      outs.push_back(attend(q.narrow(0, row, s.num_rows).unsqueeze(0),
                            keys.narrow(2, 0, s.start + s.num_rows),
                            values.narrow(2, 0, s.start + s.num_rows), s.start));
      row += s.num_rows;
    }
    out = outs.size() == 1 ? outs[0] : torch::cat(outs, 0);
  }
  return dense(out, weights_.layers[layer].wo);
}

void TransformerStack::drop_rows(KvCache& cache, int slot, int from, int count,
                                 int length) const {
  if (slot < 0 || slot >= cache.slots() || from < 0 || count < 0 || from + count > length ||
      length > cache.length()) {
    throw std::out_of_range("transformer: cannot drop rows " + std::to_string(from) + "+" +
                            std::to_string(count) + " of " + std::to_string(length) +
                            " in slot " + std::to_string(slot));
  }
  const int64_t kept = length - from - count;  // rows after the dropped ones
  if (count == 0 || kept == 0) return;
  // A rotation by -count for every moved row: cos(count), -sin(count).
  const at::Tensor cos = rope_cos_[count].expand({kept, rope_cos_.size(1)}).contiguous();
  const at::Tensor sin = (-rope_sin_[count]).expand({kept, rope_sin_.size(1)}).contiguous();
  for (int l = 0; l < config_.num_layers; ++l) {
    const at::Tensor k = cache.k(l).select(0, slot);  // [KV, len, hd]
    const at::Tensor v = cache.v(l).select(0, slot);
    const at::Tensor moved_k = k.narrow(1, from + count, kept).transpose(0, 1).contiguous();
    k.narrow(1, from, kept).copy_(apply_rope(moved_k, cos, sin).transpose(0, 1));
    v.narrow(1, from, kept).copy_(v.narrow(1, from + count, kept).clone());
  }
}

// q [B, n, H, hd] at positions start..start+n-1 of B sequences; keys/values
// [B, KV, start+n, hd] -> [B*n, H*hd]. Computed in fp32.
at::Tensor TransformerStack::attend(const at::Tensor& q, const at::Tensor& keys,
                                    const at::Tensor& values, int start) const {
  const int64_t B = q.size(0), n = q.size(1), H = config_.num_heads, KV = config_.num_kv_heads,
                G = H / KV, hd = config_.head_dim, L = keys.size(2);
  const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
  if (cpu_attention_applicable(q, keys, values)) {
    return cpu_attention(q, keys, values, start, static_cast<float>(scale));
  }
  // Query head h uses kv head h / G: group consecutive heads, [B, KV, G*n, hd].
  const at::Tensor qg =
      q.view({B, n, KV, G, hd}).permute({0, 2, 3, 1, 4}).reshape({B, KV, G * n, hd});
  at::Tensor hidden;
  if (n > 1) {
    // Row r (position start + r) sees keys 0..start+r; the same for each of the G heads.
    const auto opts = torch::TensorOptions().dtype(torch::kLong).device(q.device());
    const at::Tensor key_pos = torch::arange(L, opts).unsqueeze(0);
    const at::Tensor row_pos = torch::arange(start, start + n, opts).unsqueeze(1);
    hidden = (key_pos > row_pos).repeat({G, 1});  // [G*n, L]
  }
  const at::Tensor out = grouped_attention(qg, keys, values, hidden, scale);  // [B, KV, G*n, hd]
  return out.view({B, KV, G, n, hd})
      .permute({0, 3, 1, 2, 4})
      .reshape({B * n, H * hd})
      .to(q.scalar_type());
}

}  // namespace csm::model
