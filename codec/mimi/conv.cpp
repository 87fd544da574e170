#include "codec/mimi/conv.h"

#include "codec/mimi/config.h"

#include <torch/torch.h>

namespace csm::mimi {
namespace {
const int64_t kNoPadding = 0;
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
  return torch::conv1d(z, weight_, bias_, at::IntArrayRef(stride_), at::IntArrayRef(kNoPadding),
                       at::IntArrayRef(dilation_), groups_);
}

CausalConvTranspose1d::CausalConvTranspose1d(at::Tensor weight, at::Tensor bias, int64_t stride,
                                             int64_t groups)
    : weight_(std::move(weight)),
      bias_(std::move(bias)),
      stride_(stride),
      groups_(groups),
      out_channels_(weight_.size(1) * groups),
      tail_(weight_.size(2) - stride) {
  if (tail_ < 0 || tail_ > stride) {
    throw MimiError("mimi transposed conv: kernel must be in [stride, 2*stride]");
  }
}

void CausalConvTranspose1d::declare(StateLayout& layout) const {
  layout.add({out_channels_, tail_});
}

at::Tensor CausalConvTranspose1d::step(const at::Tensor& x, StateCursor& cursor) const {
  at::Tensor& partial = cursor.next();
  at::Tensor y = torch::conv_transpose1d(x, weight_, bias_, at::IntArrayRef(stride_),
                                         at::IntArrayRef(kNoPadding), at::IntArrayRef(kNoPadding),
                                         groups_);
  const int64_t emitted = x.size(2) * stride_;
  // Head and tail do not overlap because tail_ <= stride_ <= emitted.
  y.narrow(2, 0, tail_).add_(partial);
  at::Tensor tail = y.narrow(2, emitted, tail_);
  // The next call's head already contains the bias once.
  partial.copy_(bias_.defined() ? tail - bias_.view({1, -1, 1}) : tail);
  return y.narrow(2, 0, emitted);
}

}  // namespace csm::mimi
