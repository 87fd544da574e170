#include "codec/mimi/seanet.h"

#include <torch/torch.h>

namespace csm::mimi {
namespace {

std::string module_prefix(bool encoder, int64_t index) {
  return std::string(encoder ? "encoder" : "decoder") + ".model." + std::to_string(index) + ".";
}

at::Tensor take(const Weights& w, const std::string& name, const c10::TensorOptions& o) {
  return w.at(name).to(o);
}

}  // namespace

std::vector<SeanetModule> seanet_plan(const SeanetConfig& c, bool encoder) {
  using Kind = SeanetModule::Kind;
  std::vector<SeanetModule> plan;
  int64_t index = 0;
  auto add = [&](Kind kind, int64_t in, int64_t out, int64_t k, int64_t stride, int64_t dil,
                 bool elu_before) {
    if (elu_before) ++index;  // the ELU occupies its own module index
    SeanetModule m;
    m.kind = kind;
    m.index = index++;
    m.elu_before = elu_before;
    m.in = in;
    m.out = out;
    m.kernel = k;
    m.stride = stride;
    m.dilation = dil;
    m.hidden = in / c.compress;
    plan.push_back(m);
  };
  auto residuals = [&](int64_t width) {
    int64_t dilation = 1;
    for (int64_t j = 0; j < c.n_residual_layers; ++j, dilation *= c.dilation_base) {
      add(Kind::ResidualBlock, width, width, c.residual_kernel_size, 1, dilation, false);
    }
  };
  const auto n = static_cast<int64_t>(c.ratios.size());
  if (encoder) {
    int64_t width = c.n_filters;
    add(Kind::Conv, 1, width, c.kernel_size, 1, 1, false);
    for (int64_t i = n - 1; i >= 0; --i) {
      const int64_t r = c.ratios[static_cast<size_t>(i)];
      residuals(width);
      add(Kind::Conv, width, 2 * width, 2 * r, r, 1, true);
      width *= 2;
    }
    add(Kind::Conv, width, c.dimension, c.last_kernel_size, 1, 1, true);
  } else {
    int64_t width = c.n_filters << n;
    add(Kind::Conv, c.dimension, width, c.kernel_size, 1, 1, false);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t r = c.ratios[static_cast<size_t>(i)];
      add(Kind::ConvTranspose, width, width / 2, 2 * r, r, 1, true);
      width /= 2;
      residuals(width);
    }
    add(Kind::Conv, width, 1, c.last_kernel_size, 1, 1, true);
  }
  return plan;
}

void seanet_tensors(const SeanetConfig& c, bool encoder, std::vector<TensorSpec>& out) {
  for (const SeanetModule& m : seanet_plan(c, encoder)) {
    const std::string p = module_prefix(encoder, m.index);
    auto conv = [&](const std::string& name, std::vector<int64_t> shape, int64_t bias) {
      out.push_back({name + ".weight", std::move(shape), TensorSpec::Role::ConvWeight});
      if (c.conv_bias) out.push_back({name + ".bias", {bias}, TensorSpec::Role::Plain});
    };
    switch (m.kind) {
      case SeanetModule::Kind::Conv:
        conv(p + "conv.conv", {m.out, m.in, m.kernel}, m.out);
        break;
      case SeanetModule::Kind::ConvTranspose:
        conv(p + "convtr.convtr", {m.in, m.out, m.kernel}, m.out);
        break;
      case SeanetModule::Kind::ResidualBlock:
        conv(p + "block.1.conv.conv", {m.hidden, m.in, m.kernel}, m.hidden);
        conv(p + "block.3.conv.conv", {m.in, m.hidden, 1}, m.in);
        break;
    }
  }
}

Seanet::Seanet(const SeanetConfig& c, bool encoder, const Weights& w,
               const c10::TensorOptions& o)
    : alpha_(c.elu_alpha) {
  for (const SeanetModule& m : seanet_plan(c, encoder)) {
    const std::string p = module_prefix(encoder, m.index);
    auto bias = [&](const std::string& name) {
      return c.conv_bias ? take(w, name + ".bias", o) : at::Tensor();
    };
    Stage s;
    s.kind = m.kind;
    s.elu_before = m.elu_before;
    switch (m.kind) {
      case SeanetModule::Kind::Conv:
        s.conv = CausalConv1d(take(w, p + "conv.conv.weight", o), bias(p + "conv.conv"),
                              m.stride, m.dilation, 1, false);
        break;
      case SeanetModule::Kind::ConvTranspose:
        s.convtr = CausalConvTranspose1d(take(w, p + "convtr.convtr.weight", o),
                                         bias(p + "convtr.convtr"), m.stride, 1);
        break;
      case SeanetModule::Kind::ResidualBlock:
        s.conv = CausalConv1d(take(w, p + "block.1.conv.conv.weight", o),
                              bias(p + "block.1.conv.conv"), 1, m.dilation, 1, false);
        s.conv2 = CausalConv1d(take(w, p + "block.3.conv.conv.weight", o),
                               bias(p + "block.3.conv.conv"), 1, 1, 1, false);
        break;
    }
    stages_.push_back(std::move(s));
  }
}

void Seanet::declare(StateLayout& layout) const {
  for (const Stage& s : stages_) {
    if (s.kind == SeanetModule::Kind::ConvTranspose) {
      s.convtr.declare(layout);
    } else {
      s.conv.declare(layout);
      if (s.kind == SeanetModule::Kind::ResidualBlock) s.conv2.declare(layout);
    }
  }
}

at::Tensor Seanet::step(at::Tensor x, StateCursor& cursor) const {
  for (const Stage& s : stages_) {
    if (s.elu_before) x = torch::elu(x, alpha_);
    switch (s.kind) {
      case SeanetModule::Kind::Conv:
        x = s.conv.step(x, cursor);
        break;
      case SeanetModule::Kind::ConvTranspose:
        x = s.convtr.step(x, cursor);
        break;
      case SeanetModule::Kind::ResidualBlock: {
        at::Tensor h = s.conv.step(torch::elu(x, alpha_), cursor);
        x = x + s.conv2.step(torch::elu(h, alpha_), cursor);
        break;
      }
    }
  }
  return x;
}

}  // namespace csm::mimi
