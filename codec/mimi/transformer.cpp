#include "codec/mimi/transformer.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <vector>

#include "common/cpu/gemm.h"

namespace csm::mimi {
namespace {

// Rotates interleaved pairs (2i, 2i+1) of x [B, T, H, Dh] in fp32, as the reference does.
at::Tensor apply_rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  const auto sizes = x.sizes().vec();
  at::Tensor pairs = x.to(torch::kFloat32).reshape({sizes[0], sizes[1], sizes[2], -1, 2});
  at::Tensor re = pairs.select(4, 0), im = pairs.select(4, 1);
  at::Tensor out_re = re * cos - im * sin;
  at::Tensor out_im = re * sin + im * cos;
  return torch::stack({out_re, out_im}, 4).reshape(sizes).to(x.scalar_type());
}

// Few rows (streaming: 2 per slot and frame) stream the weights through our GEMV kernel at
// memory bandwidth; many rows (offline decode, encode) are compute-bound and go to oneDNN.
constexpr int64_t kGemvMaxRows = 32;
constexpr int64_t kOneDnnMinRows = 8;

}  // namespace

Linear::Linear(at::Tensor weight) : weight_(std::move(weight)) {
  if (weight_.device().is_cpu() && weight_.scalar_type() == torch::kFloat32 && at::hasMKLDNN()) {
    onednn_weight_ = weight_.to_mkldnn();
  }
}

at::Tensor Linear::operator()(const at::Tensor& x) const {
  const int64_t rows = x.numel() / x.size(-1);
  if (rows <= kGemvMaxRows) {
    const at::Tensor flat = x.reshape({rows, x.size(-1)});
    if (cpu::gemm_applicable(flat, weight_)) {
      std::vector<int64_t> shape = x.sizes().vec();
      shape.back() = weight_.size(0);
      return cpu::gemm(flat, weight_).view(shape);
    }
  }
  if (!onednn_weight_.defined() || rows < kOneDnnMinRows) return torch::linear(x, weight_);
  std::vector<int64_t> shape = x.sizes().vec();
  shape.back() = weight_.size(0);
  at::Tensor flat = x.reshape({rows, x.size(-1)}).contiguous();
  return at::mkldnn_linear(flat.to_mkldnn(), onednn_weight_).to_dense().view(shape);
}

StreamingTransformer::StreamingTransformer(const TransformerConfig& config,
                                           const std::string& prefix, const Weights& w,
                                           const c10::TensorOptions& o)
    : config_(config) {
  for (int64_t i = 0; i < config.num_layers; ++i) {
    const std::string p = prefix + ".transformer.layers." + std::to_string(i) + ".";
    auto t = [&](const std::string& name) { return w.at(p + name).to(o); };
    Layer l;
    l.norm1_w = t("norm1.weight");
    l.norm1_b = t("norm1.bias");
    l.in_proj = Linear(t("self_attn.in_proj_weight"));
    l.out_proj = Linear(t("self_attn.out_proj.weight"));
    l.norm2_w = t("norm2.weight");
    l.norm2_b = t("norm2.bias");
    l.linear1 = Linear(t("linear1.weight"));
    l.linear2 = Linear(t("linear2.weight"));
    if (config.layer_scale) {
      l.ls1 = t("layer_scale_1.scale");
      l.ls2 = t("layer_scale_2.scale");
    }
    layers_.push_back(std::move(l));
  }
  const int64_t dh = config.head_dim();
  // freq_i = exp(i * (-2 ln(max_period) / Dh)), computed in fp32 like the reference.
  const auto scale =
      static_cast<float>(-std::log(config.max_period) * 2.0 / static_cast<double>(dh));
  inv_freq_ = torch::exp(torch::arange(dh / 2, o.dtype(torch::kFloat32)) * scale);
}

void StreamingTransformer::declare(StateLayout& layout, int64_t capacity) const {
  layout.add({}, torch::kInt64, 0.0);           // next step
  layout.add({capacity}, torch::kInt64, -1.0);  // step held by each ring entry
  for (size_t i = 0; i < layers_.size(); ++i) {
    layout.add({config_.num_heads, capacity, config_.head_dim()});  // keys (post-RoPE)
    layout.add({config_.num_heads, capacity, config_.head_dim()});  // values
  }
}

at::Tensor StreamingTransformer::step(const at::Tensor& x, StateCursor& cursor) const {
  at::Tensor& next_step = cursor.next();
  at::Tensor& ring_step = cursor.next();
  const int64_t steps = x.size(2), capacity = ring_step.size(1);
  if (steps > capacity) {
    throw MimiError("mimi transformer: " + std::to_string(steps) +
                    " steps in one call exceed the ring capacity " + std::to_string(capacity));
  }
  // Absolute positions of the new steps [B, T] and the ring entries they overwrite.
  at::Tensor pos = next_step.unsqueeze(1) + torch::arange(steps, next_step.options());
  at::Tensor ring_index = pos.remainder(capacity);
  ring_step.scatter_(1, ring_index, pos);
  // Visible iff stored and 0 <= q - k < context: [B, 1, T, capacity], true = masked out.
  at::Tensor delta = pos.unsqueeze(2) - ring_step.unsqueeze(1);
  at::Tensor hidden = (ring_step.unsqueeze(1) < 0) | (delta < 0) | (delta >= config_.context);
  hidden = hidden.unsqueeze(1);
  at::Tensor angles = pos.to(torch::kFloat32).unsqueeze(2) * inv_freq_;  // [B, T, Dh/2]
  at::Tensor cos = angles.cos().unsqueeze(2), sin = angles.sin().unsqueeze(2);

  at::Tensor h = x.transpose(1, 2);  // [B, T, D]
  for (const Layer& layer : layers_) {
    at::Tensor& keys = cursor.next();
    at::Tensor& values = cursor.next();
    h = layer_step(layer, h, cos, sin, ring_index, hidden, keys, values);
  }
  next_step.add_(steps);
  return h.transpose(1, 2);
}

at::Tensor StreamingTransformer::layer_step(const Layer& l, at::Tensor h, const at::Tensor& cos,
                                            const at::Tensor& sin, const at::Tensor& ring_index,
                                            const at::Tensor& hidden, at::Tensor& keys,
                                            at::Tensor& values) const {
  const int64_t batch = h.size(0), steps = h.size(1), d = config_.d_model;
  const int64_t heads = config_.num_heads, dh = config_.head_dim();
  at::Tensor a = torch::layer_norm(h, {d}, l.norm1_w, l.norm1_b, config_.norm_eps);
  at::Tensor qkv = l.in_proj(a).view({batch, steps, 3, heads, dh});
  at::Tensor q = apply_rope(qkv.select(2, 0), cos, sin).transpose(1, 2);  // [B, H, T, Dh]
  at::Tensor k = apply_rope(qkv.select(2, 1), cos, sin).transpose(1, 2);
  at::Tensor v = qkv.select(2, 2).transpose(1, 2);
  at::Tensor index = ring_index.view({batch, 1, steps, 1}).expand({batch, heads, steps, dh});
  keys.scatter_(2, index, k);
  values.scatter_(2, index, v);
  at::Tensor scores = torch::matmul(q, keys.transpose(2, 3)) / std::sqrt(static_cast<double>(dh));
  scores.masked_fill_(hidden, -std::numeric_limits<double>::infinity());
  at::Tensor attn = torch::matmul(torch::softmax(scores, -1), values);  // [B, H, T, Dh]
  attn = l.out_proj(attn.transpose(1, 2).reshape({batch, steps, d}));
  h = h + (l.ls1.defined() ? attn * l.ls1 : attn);
  at::Tensor f = torch::layer_norm(h, {d}, l.norm2_w, l.norm2_b, config_.norm_eps);
  f = l.linear2(torch::gelu(l.linear1(f)));
  return h + (l.ls2.defined() ? f * l.ls2 : f);
}

}  // namespace csm::mimi
