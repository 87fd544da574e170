// The fused RMSNorm, SwiGLU and RoPE of every kernel set this CPU has (AVX2, AVX512) against
// LibTorch's op-by-op formulas (spec 2.1, 2.2, 2.4), rounding to bf16 at the same places.
#include <torch/torch.h>

#include "support/catch.h"

#include "core/model/cpu_elementwise.h"
#include "core/model/kernel_sets.h"
#include "support/skip.h"

using namespace csm::model;
using csm::test::kernel_sets;

namespace {

at::Tensor reference_rms_norm(const at::Tensor& x, const at::Tensor& gain, double eps) {
  const at::Tensor xf = x.to(torch::kFloat);
  const at::Tensor normed = xf * torch::rsqrt(xf.pow(2).mean(-1, true) + eps);
  return normed.to(x.scalar_type()) * gain;
}

at::Tensor reference_swiglu(const at::Tensor& gate_up) {
  const int64_t f = gate_up.size(1) / 2;
  return torch::silu(gate_up.narrow(1, 0, f)) * gate_up.narrow(1, f, f);
}

// Largest difference in units of the bf16 spacing at the reference's magnitude.
double max_bf16_ulps(const at::Tensor& got, const at::Tensor& want) {
  const at::Tensor w = want.to(torch::kFloat);
  const at::Tensor spacing = torch::clamp_min(w.abs(), 1e-30) * std::ldexp(1.0, -7);
  return ((got.to(torch::kFloat) - w).abs() / spacing).max().item<double>();
}

}  // namespace

TEST_CASE("fused rms_norm matches the op-by-op formula", "[core][model][elementwise]") {
  if (kernel_sets(torch::kFloat).empty()) CSM_SKIP("CPU without AVX2: fused kernels not exercised");
  for (int64_t rows : {1, 3, 8, 40}) {
    const at::Tensor x = torch::randn({rows, 1024}) * 3.0;
    const at::Tensor gain = torch::rand({1024}) + 0.5;
    const at::Tensor xb = x.to(torch::kBFloat16), gb = gain.to(torch::kBFloat16);
    for (const auto* set : kernel_sets(torch::kFloat)) {
      INFO(set->name << ", rows " << rows);
      CHECK(torch::allclose(set->rms_norm(x, gain, 1e-5f), reference_rms_norm(x, gain, 1e-5),
                            1e-6, 1e-6));
    }
    for (const auto* set : kernel_sets(torch::kBFloat16)) {
      INFO(set->name << ", rows " << rows);
      const at::Tensor got = set->rms_norm(xb, gb, 1e-5f);
      CHECK(got.scalar_type() == torch::kBFloat16);
      // The sum of squares is added in another order: the rounded row may differ by one
      // bf16 step before the gain, and the product rounds again.
      CHECK(max_bf16_ulps(got, reference_rms_norm(xb, gb, 1e-5)) <= 2.0);
    }
    // The public entry point takes the widest set, and a gain of another dtype.
    CHECK(torch::allclose(cpu_rms_norm(x, gain.to(torch::kBFloat16), 1e-5f),
                          reference_rms_norm(x, gain.to(torch::kBFloat16).to(torch::kFloat), 1e-5),
                          1e-6, 1e-6));
  }
}

TEST_CASE("fused swiglu matches silu(gate) * up, also far out in the tails",
          "[core][model][elementwise]") {
  at::Tensor gate_up = torch::randn({5, 2 * 512}) * 4.0;
  gate_up[0].narrow(0, 0, 4).copy_(torch::tensor({-100.0f, -30.0f, 30.0f, 100.0f}));
  if (kernel_sets(torch::kFloat).empty()) CSM_SKIP("CPU without AVX2: fused kernels not exercised");
  for (const auto* set : kernel_sets(torch::kFloat)) {
    INFO(set->name);
    const at::Tensor got = set->swiglu(gate_up);
    REQUIRE(got.sizes() == at::IntArrayRef{5, 512});
    CHECK(torch::allclose(got, reference_swiglu(gate_up), 1e-6, 1e-6));
  }
  const at::Tensor gb = gate_up.to(torch::kBFloat16);
  for (const auto* set : kernel_sets(torch::kBFloat16)) {
    INFO(set->name);
    // silu(gate) may round to the neighbouring bf16 value (our exp is not Sleef's), and the
    // product rounds again.
    CHECK(max_bf16_ulps(set->swiglu(gb), reference_swiglu(gb)) <= 2.0);
  }
  CHECK(torch::allclose(cpu_swiglu(gate_up), reference_swiglu(gate_up), 1e-6, 1e-6));
  CHECK_FALSE(cpu_elementwise_applicable(torch::randn({2, 24})));
  CHECK_FALSE(cpu_elementwise_applicable(torch::randn({4, 32}).t()));
  CHECK_FALSE(cpu_elementwise_applicable(torch::randn({4, 32}).to(torch::kHalf)));
}

TEST_CASE("bf16 results round to nearest even as c10::BFloat16 does, overflow and NaN too",
          "[core][model][elementwise]") {
  // swiglu with gate 100 (silu(100) is 100 exactly) and every bf16 value as `up`: the fp32
  // product 100 * up is exact and the store rounds it, ties and overflow to infinity included.
  const int64_t F = 65536;
  const at::Tensor up =
      torch::arange(-32768, 32768, torch::kInt).to(torch::kShort).view(torch::kBFloat16);
  const at::Tensor gate_up =
      torch::cat({torch::full({F}, 100.0f).to(torch::kBFloat16), up}).unsqueeze(0);
  const at::Tensor want = reference_swiglu(gate_up).to(torch::kFloat);
  // AVX512-BF16's conversion flushes denormal results to zero; compare normal ones, zero,
  // infinities and NaN.
  const at::Tensor compared =
      want.abs().ge(std::ldexp(1.0, -126)) | want.eq(0) | want.isnan() | want.isinf();
  for (const auto* set : kernel_sets(torch::kBFloat16)) {
    INFO(set->name);
    const at::Tensor got = set->swiglu(gate_up).to(torch::kFloat);
    CHECK(torch::equal(got.isnan(), want.isnan()));
    const at::Tensor differ = torch::nan_to_num(got).ne(torch::nan_to_num(want)) & compared;
    INFO("first differing up: " << (differ.any().item<bool>()
                                        ? up.to(torch::kFloat)
                                              .masked_select(differ.squeeze(0))[0]
                                              .item<float>()
                                        : 0.0f));
    CHECK(differ.sum().item<int64_t>() == 0);
  }
}

TEST_CASE("fused rope is bit-identical to the op-by-op rotation in fp32",
          "[core][model][elementwise]") {
  const int64_t T = 5, H = 3, hd = 64;
  // q as a slice of a fused projection: rows further apart than H * hd.
  const at::Tensor fused = torch::randn({T, (H + 2) * hd});
  const at::Tensor x = fused.narrow(1, 0, H * hd).view({T, H, hd});
  const at::Tensor angle = torch::rand({T, hd / 2}) * 50.0;
  const at::Tensor cos = angle.cos(), sin = angle.sin();
  if (!cpu_rope_applicable(x, cos)) {
    CSM_SKIP("CPU without AVX2: fused kernels not exercised");
  }
  const at::Tensor pairs = x.reshape({T, H, hd / 2, 2});
  const at::Tensor x0 = pairs.select(3, 0), x1 = pairs.select(3, 1);
  const at::Tensor c = cos.unsqueeze(1), s = sin.unsqueeze(1);
  const at::Tensor want = torch::stack({x0 * c - x1 * s, x1 * c + x0 * s}, 3).reshape({T, H, hd});
  for (const auto* set : kernel_sets(torch::kFloat)) {
    const at::Tensor got = set->rope(x, cos, sin);
    INFO(set->name << ": max diff " << (got - want).abs().max().item<float>());
    CHECK(torch::equal(got, want));
  }
  CHECK(torch::equal(cpu_rope(x, cos, sin), want));
  const at::Tensor xb = x.to(torch::kBFloat16);
  const at::Tensor pb = xb.to(torch::kFloat).reshape({T, H, hd / 2, 2});
  const at::Tensor b0 = pb.select(3, 0), b1 = pb.select(3, 1);
  const at::Tensor want_b = torch::stack({b0 * c - b1 * s, b1 * c + b0 * s}, 3).reshape({T, H, hd});
  for (const auto* set : kernel_sets(torch::kBFloat16)) {
    INFO(set->name);
    CHECK(torch::equal(set->rope(xb, cos, sin), want_b.to(torch::kBFloat16)));
  }
  CHECK_FALSE(cpu_rope_applicable(x, cos.narrow(0, 0, T - 1)));
}

TEST_CASE("limit_kernel_isa narrows the kernel set down to LibTorch's ops and back",
          "[core][model][elementwise]") {
  namespace d = csm::model::detail;
  const d::KernelIsa widest = d::kernel_isa(torch::kFloat);
  if (widest == d::KernelIsa::none) CSM_SKIP("CPU without AVX2: fused kernels not exercised");
  struct Restore {
    ~Restore() { d::limit_kernel_isa(d::KernelIsa::avx512); }
  } restore;
  const at::Tensor x = torch::randn({2, 64});
  d::limit_kernel_isa(d::KernelIsa::none);
  CHECK(d::kernel_isa(torch::kFloat) == d::KernelIsa::none);
  CHECK_FALSE(cpu_elementwise_applicable(x));
  CHECK_FALSE(cpu_rope_applicable(x.view({2, 1, 64}), torch::ones({2, 32})));
  d::limit_kernel_isa(d::KernelIsa::avx2);
  CHECK(d::kernel_isa(torch::kFloat) == d::KernelIsa::avx2);
  CHECK(cpu_elementwise_applicable(x));
  d::limit_kernel_isa(d::KernelIsa::avx512);
  CHECK(d::kernel_isa(torch::kFloat) == widest);
  CHECK(d::kernel_isa(torch::kHalf) == d::KernelIsa::none);
}
