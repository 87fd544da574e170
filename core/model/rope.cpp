#include "core/model/rope.h"

#include <torch/torch.h>

#include <cmath>

#include "core/model/cpu_elementwise.h"

namespace csm::model {

at::Tensor rope_theta(int head_dim, const RopeConfig& rope) {
  using torch::indexing::Slice;
  // e_i = fp32(2i) / fp32(hd); f_i = 1 / pow(base, e_i), every step in fp32.
  const at::Tensor e = torch::arange(0, head_dim, 2).to(torch::kFloat).slice(0, 0, head_dim / 2) /
                       static_cast<float>(head_dim);
  const at::Tensor f =
      torch::pow(torch::full_like(e, static_cast<float>(rope.base)), e).reciprocal();

  const float two_pi = static_cast<float>(2.0 * M_PI);
  const float low_wavelen = static_cast<float>(rope.old_context_len / rope.low_freq_factor);
  const float high_wavelen = static_cast<float>(rope.old_context_len / rope.high_freq_factor);
  const float scale = static_cast<float>(rope.scale_factor);
  const float old_len = static_cast<float>(rope.old_context_len);
  const float low = static_cast<float>(rope.low_freq_factor);
  const float high_minus_low = static_cast<float>(rope.high_freq_factor - rope.low_freq_factor);

  at::Tensor theta = torch::empty_like(f);
  const float* fp = f.data_ptr<float>();
  float* out = theta.data_ptr<float>();
  for (int64_t i = 0; i < f.numel(); ++i) {
    // Scalar fp32 arithmetic in the reference's order (each line one rounding).
    volatile float freq = fp[i];
    volatile float wavelen = (1.0f / freq) * two_pi;
    if (wavelen < high_wavelen) {
      out[i] = freq;
    } else if (wavelen > low_wavelen) {
      out[i] = freq / scale;
    } else {
      volatile float smooth = ((1.0f / wavelen) * old_len - low) / high_minus_low;
      volatile float a = ((1.0f - smooth) * freq) / scale;
      volatile float b = smooth * freq;
      out[i] = a + b;
    }
  }
  return theta;
}

RopeTable rope_table(int head_dim, int max_seq_len, const RopeConfig& rope) {
  const at::Tensor theta = rope_theta(head_dim, rope);
  const at::Tensor positions = torch::arange(max_seq_len, torch::kFloat);
  const at::Tensor angle = positions.unsqueeze(1) * theta.unsqueeze(0);  // one fp32 product
  return {angle.cos().contiguous(), angle.sin().contiguous()};
}

at::Tensor apply_rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  if (cpu_rope_applicable(x, cos)) return cpu_rope(x, cos, sin);
  const auto sizes = x.sizes();
  const at::Tensor pairs = x.to(torch::kFloat).reshape({sizes[0], sizes[1], sizes[2] / 2, 2});
  const at::Tensor x0 = pairs.select(3, 0);
  const at::Tensor x1 = pairs.select(3, 1);
  const at::Tensor c = cos.unsqueeze(1);  // broadcast over heads
  const at::Tensor s = sin.unsqueeze(1);
  const at::Tensor out = torch::stack({x0 * c - x1 * s, x1 * c + x0 * s}, 3);
  return out.reshape(sizes).to(x.scalar_type());
}

}  // namespace csm::model
