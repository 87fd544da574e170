#include "core/model/cpu_elementwise.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "common/cpu/features.h"
#include "core/model/avx512_math.h"

namespace csm::model {
namespace {

using avx512::Bf16;
using avx512::exp16;
using avx512::F32;
using avx512::for_rows;

template <class E>
CSM_AVX512 void rms_norm_row(const typename E::T* x, const typename E::T* gain, typename E::T* out,
                             int64_t D, float eps) {
  __m512 sum = _mm512_setzero_ps();
  for (int64_t i = 0; i < D; i += 16) {
    const __m512 v = E::load(x + i);
    sum = _mm512_fmadd_ps(v, v, sum);
  }
  const float mean = _mm512_reduce_add_ps(sum) / static_cast<float>(D);
  const __m512 scale = _mm512_set1_ps(1.0f / std::sqrt(mean + eps));
  for (int64_t i = 0; i < D; i += 16) {
    const __m512 normed = E::round(_mm512_mul_ps(E::load(x + i), scale));
    E::store(out + i, _mm512_mul_ps(normed, E::load(gain + i)));
  }
}

template <class E>
CSM_AVX512 void swiglu_row(const typename E::T* gate, const typename E::T* up, typename E::T* out,
                           int64_t F) {
  const __m512 one = _mm512_set1_ps(1.0f);
  for (int64_t i = 0; i < F; i += 16) {
    const __m512 g = E::load(gate + i);
    const __m512 silu = E::round(
        _mm512_div_ps(g, _mm512_add_ps(one, exp16(_mm512_sub_ps(_mm512_setzero_ps(), g)))));
    E::store(out + i, _mm512_mul_ps(silu, E::load(up + i)));
  }
}

// Pairs (x0, x1) of a head row become (x0 c - x1 s, x1 c + x0 s): x * [c, c] plus the
// pair-swapped x * [-s, s], as separate products and one sum like the op-by-op version.
// cs / sn: this row's cos and sin already spread over the pairs, hd values each.
template <class E>
CSM_AVX512 void rope_head(const typename E::T* x, const float* cs, const float* sn,
                          typename E::T* out, int64_t hd) {
  for (int64_t i = 0; i < hd; i += 16) {
    const __m512 v = E::load(x + i);
    const __m512 swapped = _mm512_permute_ps(v, 0xB1);  // lanes [1, 0, 3, 2, ...]
    // The explicit-rounding forms: GCC would fuse a plain mul and add into one FMA
    // (-ffp-contract=fast), which rounds once instead of three times.
    constexpr int kNearest = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
    const __m512 a = _mm512_mul_round_ps(v, _mm512_loadu_ps(cs + i), kNearest);
    const __m512 b = _mm512_mul_round_ps(swapped, _mm512_loadu_ps(sn + i), kNearest);
    E::store(out + i, _mm512_add_round_ps(a, b, kNearest));
  }
}

template <class E>
const typename E::T* ptr(const at::Tensor& t) {
  return static_cast<const typename E::T*>(t.data_ptr());
}
template <class E>
typename E::T* mutable_ptr(at::Tensor& t) {
  return static_cast<typename E::T*>(t.data_ptr());
}

template <class E>
at::Tensor rms_norm_impl(const at::Tensor& x, const at::Tensor& gain, float eps) {
  const int64_t T = x.size(0), D = x.size(1);
  at::Tensor out = torch::empty_like(x);
  const auto* xp = ptr<E>(x);
  const auto* gp = ptr<E>(gain);
  auto* op = mutable_ptr<E>(out);
  for_rows(T, D, [&](int64_t r) { rms_norm_row<E>(xp + r * D, gp, op + r * D, D, eps); });
  return out;
}

template <class E>
at::Tensor swiglu_impl(const at::Tensor& gate_up) {
  const int64_t T = gate_up.size(0), F = gate_up.size(1) / 2;
  at::Tensor out = torch::empty({T, F}, gate_up.options());
  const auto* gp = ptr<E>(gate_up);
  auto* op = mutable_ptr<E>(out);
  for_rows(T, F,
           [&](int64_t r) { swiglu_row<E>(gp + r * 2 * F, gp + r * 2 * F + F, op + r * F, F); });
  return out;
}

template <class E>
at::Tensor rope_impl(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  const int64_t T = x.size(0), H = x.size(1), hd = x.size(2), row_stride = x.stride(0);
  at::Tensor out = torch::empty({T, H, hd}, x.options());
  const auto* xp = ptr<E>(x);
  auto* op = mutable_ptr<E>(out);
  const float* cp = cos.data_ptr<float>();
  const float* sp = sin.data_ptr<float>();
  for_rows(T, H * hd, [&](int64_t t) {
    std::vector<float> cs(static_cast<size_t>(hd)), sn(static_cast<size_t>(hd));
    for (int64_t i = 0; i < hd / 2; ++i) {
      cs[2 * i] = cs[2 * i + 1] = cp[t * hd / 2 + i];
      sn[2 * i] = -sp[t * hd / 2 + i];
      sn[2 * i + 1] = sp[t * hd / 2 + i];
    }
    for (int64_t h = 0; h < H; ++h) {
      rope_head<E>(xp + t * row_stride + h * hd, cs.data(), sn.data(), op + (t * H + h) * hd, hd);
    }
  });
  return out;
}

}  // namespace

bool cpu_elementwise_applicable(const at::Tensor& x) {
  return x.device().is_cpu() && x.dim() == 2 && x.is_contiguous() && x.size(1) % 16 == 0 &&
         cpu::kernels_support(x.scalar_type());
}

at::Tensor cpu_rms_norm(const at::Tensor& x, const at::Tensor& gain, float eps) {
  const at::Tensor g = gain.to(x.scalar_type()).contiguous();
  TORCH_CHECK(g.numel() == x.size(1), "rms_norm: gain of ", g.numel(), " for rows of ", x.size(1));
  if (x.scalar_type() == at::kBFloat16) return rms_norm_impl<Bf16>(x, g, eps);
  return rms_norm_impl<F32>(x, g, eps);
}

at::Tensor cpu_swiglu(const at::Tensor& gate_up) {
  TORCH_CHECK(gate_up.size(1) % 32 == 0, "swiglu: width ", gate_up.size(1), " not 2 x 16k");
  if (gate_up.scalar_type() == at::kBFloat16) return swiglu_impl<Bf16>(gate_up);
  return swiglu_impl<F32>(gate_up);
}

bool cpu_rope_applicable(const at::Tensor& x, const at::Tensor& cos) {
  return cpu::kernels_support(x.scalar_type()) && x.device().is_cpu() && x.dim() == 3 &&
         x.size(2) % 16 == 0 && x.stride(2) == 1 && x.stride(1) == x.size(2) &&
         cos.device().is_cpu() && cos.scalar_type() == at::kFloat && cos.dim() == 2 &&
         cos.size(0) == x.size(0) && cos.size(1) * 2 == x.size(2);
}

at::Tensor cpu_rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  const at::Tensor c = cos.contiguous(), s = sin.contiguous();
  if (x.scalar_type() == at::kBFloat16) return rope_impl<Bf16>(x, c, s);
  return rope_impl<F32>(x, c, s);
}

}  // namespace csm::model
