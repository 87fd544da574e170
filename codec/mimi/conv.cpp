#include "codec/mimi/conv.h"

#include "codec/mimi/config.h"

#include <torch/torch.h>

#include "common/cpu/gemm.h"

namespace csm::mimi {
namespace {
const int64_t kNoPadding = 0;
// GEMM path: weights with at least this many values, calls with at most this many output rows
// (batch x steps). Measured on the 2-core dev VM: at 25 Hz (2 steps per frame) the GEMM is
// 2-4x faster than conv1d for the 512/1024-channel convs; for long inputs conv1d (oneDNN) wins.
constexpr int64_t kGemmMinWeights = 1 << 18;
constexpr int64_t kGemmMaxRows = 16;
}  // namespace

CausalConv1d::CausalConv1d(at::Tensor weight, at::Tensor bias, int64_t stride, int64_t dilation,
                           int64_t groups, bool replicate_pad)
    : weight_(std::move(weight)),
      bias_(std::move(bias)),
      stride_(stride),
      dilation_(dilation),
      groups_(groups),
      context_((weight_.size(2) - 1) * dilation + 1 - stride),
      replicate_(replicate_pad) {
  if (context_ < 0) throw MimiError("mimi conv: stride larger than the effective kernel");
  if (groups_ == 1 && dilation_ == 1 && weight_.numel() >= kGemmMinWeights) {
    at::Tensor rows = weight_.reshape({weight_.size(0), -1}).contiguous();  // [out, in*k]
    // Our GEMV kernel reads [out, in*k] rows at memory bandwidth; BLAS wants [in*k, out].
    if (cpu::gemm_applicable(torch::empty({1, rows.size(1)}, rows.options()), rows)) {
      gemv_weight_ = rows;
    } else {
      gemm_weight_ = rows.t().contiguous();
    }
  }
}

void CausalConv1d::declare(StateLayout& layout) const {
  if (context_ > 0) layout.add({weight_.size(1) * groups_, context_});
  if (replicate_) layout.add({}, torch::kBool, 1.0);
}

at::Tensor CausalConv1d::step(const at::Tensor& x, StateCursor& cursor) const {
  if (x.size(2) % stride_ != 0) {
    throw MimiError("mimi conv: input length " + std::to_string(x.size(2)) +
                    " is not a multiple of the stride " + std::to_string(stride_));
  }
  if (context_ == 0) {
    if (replicate_) cursor.next();
    return torch::conv1d(x, weight_, bias_, at::IntArrayRef(stride_), at::IntArrayRef(kNoPadding),
                         at::IntArrayRef(dilation_), groups_);
  }
  at::Tensor& prev = cursor.next();
  at::Tensor left = prev;
  if (replicate_) {
    at::Tensor& first = cursor.next();
    // A stream's first call pads with copies of its first step instead of the zero state.
    left = torch::where(first.view({-1, 1, 1}), x.narrow(2, 0, 1).expand_as(prev), prev);
    first.fill_(false);
  }
  at::Tensor z = torch::cat({left, x}, 2);
  prev.copy_(z.narrow(2, z.size(2) - context_, context_));
  const int64_t batch = x.size(0), steps = x.size(2) / stride_;
  if ((gemv_weight_.defined() || gemm_weight_.defined()) && batch * steps <= kGemmMaxRows) {
    // im2col rows [B*T_out, in*k] (same (in, k) order as the weight) times the weight.
    const int64_t k = weight_.size(2);
    at::Tensor cols = z.unfold(2, k, stride_).permute({0, 2, 1, 3}).reshape({batch * steps, -1});
    at::Tensor y;
    if (gemv_weight_.defined()) {
      y = cpu::gemm(cols, gemv_weight_);
      if (bias_.defined()) y.add_(bias_);
    } else {
      y = bias_.defined() ? torch::addmm(bias_, cols, gemm_weight_)
                          : torch::matmul(cols, gemm_weight_);
    }
    return y.view({batch, steps, -1}).transpose(1, 2);
  }
  return torch::conv1d(z, weight_, bias_, at::IntArrayRef(stride_), at::IntArrayRef(kNoPadding),
                       at::IntArrayRef(dilation_), groups_);
}

namespace {

// Transposed-conv weight [in, out/g, k] (k <= 2S) -> kernel-2 conv weight [out*S, in/g, 2]:
// conv channel (o, r) = o*S + r; tap 1 (current input j) holds W[:, o, r], tap 0 (input j-1)
// holds W[:, o, r + S] (zero where r + S >= k).
at::Tensor as_two_tap_conv(const at::Tensor& w, int64_t stride, int64_t groups) {
  const int64_t in = w.size(0), out_g = w.size(1), k = w.size(2), in_g = in / groups;
  at::Tensor padded = torch::constant_pad_nd(w, {0, 2 * stride - k}, 0.0);
  return padded.view({groups, in_g, out_g, 2, stride})
      .permute({0, 2, 4, 1, 3})  // [g, out_g, S, in_g, t]
      .flip({4})                 // t = 1 (k >= S) is the previous input: conv tap 0
      .reshape({groups * out_g * stride, in_g, 2})
      .contiguous();
}

}  // namespace

CausalConvTranspose1d::CausalConvTranspose1d(const at::Tensor& weight, const at::Tensor& bias,
                                             int64_t stride, int64_t groups)
    : stride_(stride), out_channels_(weight.size(1) * groups) {
  const int64_t k = weight.size(2);
  if (k < stride || k > 2 * stride) {
    throw MimiError("mimi transposed conv: kernel " + std::to_string(k) +
                    " must be in [stride, 2*stride] (stride " + std::to_string(stride) + ")");
  }
  conv_ = CausalConv1d(as_two_tap_conv(weight, stride, groups),
                       bias.defined() ? bias.repeat_interleave(stride) : at::Tensor(), 1, 1, groups,
                       false);
}

at::Tensor CausalConvTranspose1d::step(const at::Tensor& x, StateCursor& cursor) const {
  const int64_t batch = x.size(0), steps = x.size(2);
  at::Tensor y = conv_.step(x, cursor);  // [B, out*S, T]
  return y.view({batch, out_channels_, stride_, steps})
      .transpose(2, 3)
      .reshape({batch, out_channels_, steps * stride_});
}

}  // namespace csm::mimi
