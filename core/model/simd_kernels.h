// Internal to core/model's fused CPU kernels: RMSNorm, SwiGLU, RoPE and attention written once
// against a vector type V and compiled once per instruction set, by cpu_kernels_avx512.cpp
// (16 lanes) and cpu_kernels_avx2.cpp (8 lanes). Each includes this file inside a
// `#pragma GCC target` region, so every function here (lambdas too) is compiled for that set
// while the project is built for generic x86-64; the headers below must be included before
// the region, so that nothing outside these kernels is compiled for it. Each V is in an
// anonymous namespace: no instantiation is shared between the two files.
//
// V: R (kLanes fp32 lanes) and Mask; zero, set1, add, sub, mul, div, fmadd(a, b, c) = a b + c,
// fnmadd(a, b, c) = c - a b, max, min, reduce_add, round_nearest (to an integral value),
// mul_pow2(p, n) = p 2^n for integral n in [-126, 128], swap_pairs (lanes 1, 0, 3, 2, ...),
// opaque (a value the compiler may not fuse into an FMA), load/store of fp32, load_bf16,
// store_bf16 and round_bf16 (to nearest even, as c10::BFloat16; AVX512-BF16's conversion
// also flushes denormal results to zero), first_lanes(count),
// load_first / store_first / add_first (lanes under a mask).
//
// Same arithmetic as the LibTorch versions (ops.cpp, rope.cpp, transformer.cpp), including
// where bf16 rounds: RMSNorm rounds the normalised row to bf16 before the gain; SwiGLU rounds
// silu(gate) to bf16 before the product; RoPE rounds once at the end (bit-identical in fp32);
// attention works in fp32 and rounds its output once. Sums run in another order.
#pragma once

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/model/cpu_kernels.h"

namespace csm::model::simd {

// An element type's values as V's fp32 lanes. `round` is what storing and reloading does (bf16
// rounds to nearest even; fp32 keeps the value), for the roundings LibTorch makes between ops.
template <class V>
struct Bf16 {
  using T = uint16_t;
  static typename V::R load(const T* p) { return V::load_bf16(p); }
  static void store(T* p, typename V::R v) { V::store_bf16(p, v); }
  static typename V::R round(typename V::R v) { return V::round_bf16(v); }
};
template <class V>
struct F32 {
  using T = float;
  static typename V::R load(const T* p) { return V::load(p); }
  static void store(T* p, typename V::R v) { V::store(p, v); }
  static typename V::R round(typename V::R v) { return v; }
};

// e^x to about 2 ulp: x = n ln2 + r with |r| <= ln2/2 (ln2 split in two for an exact
// product), e^r by its degree-6 Taylor polynomial (error < 2e-7), times 2^n.
template <class V>
typename V::R exp(typename V::R x) {
  x = V::max(V::min(x, V::set1(88.7f)), V::set1(-87.3f));
  const typename V::R n = V::round_nearest(V::mul(x, V::set1(1.44269504f)));
  typename V::R r = V::fnmadd(n, V::set1(0.693145752f), x);
  r = V::fnmadd(n, V::set1(1.42860677e-6f), r);
  typename V::R p = V::set1(1.0f / 720);
  p = V::fmadd(p, r, V::set1(1.0f / 120));
  p = V::fmadd(p, r, V::set1(1.0f / 24));
  p = V::fmadd(p, r, V::set1(1.0f / 6));
  p = V::fmadd(p, r, V::set1(0.5f));
  p = V::fmadd(p, r, V::set1(1.0f));
  p = V::fmadd(p, r, V::set1(1.0f));
  return V::mul_pow2(p, n);
}

// Rows in parallel only when there is enough work to pay for waking the other threads.
template <class F>
void for_rows(int64_t rows, int64_t row_size, const F& f) {
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / row_size);
  at::parallel_for(0, rows, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) f(r);
  });
}

template <class E>
const typename E::T* ptr(const at::Tensor& t) {
  return static_cast<const typename E::T*>(t.data_ptr());
}
template <class E>
typename E::T* mutable_ptr(at::Tensor& t) {
  return static_cast<typename E::T*>(t.data_ptr());
}

// ---- RMSNorm, SwiGLU, RoPE: D, F and hd are multiples of 16 (of kLanes in both sets).

template <class V, class E>
void rms_norm_row(const typename E::T* x, const typename E::T* gain, typename E::T* out,
                  int64_t D, float eps) {
  typename V::R sum = V::zero();
  for (int64_t i = 0; i < D; i += V::kLanes) {
    const typename V::R v = E::load(x + i);
    sum = V::fmadd(v, v, sum);
  }
  const float mean = V::reduce_add(sum) / static_cast<float>(D);
  const typename V::R scale = V::set1(1.0f / std::sqrt(mean + eps));
  for (int64_t i = 0; i < D; i += V::kLanes) {
    const typename V::R normed = E::round(V::mul(E::load(x + i), scale));
    E::store(out + i, V::mul(normed, E::load(gain + i)));
  }
}

template <class V, class E>
void swiglu_row(const typename E::T* gate, const typename E::T* up, typename E::T* out,
                int64_t F) {
  const typename V::R one = V::set1(1.0f);
  for (int64_t i = 0; i < F; i += V::kLanes) {
    const typename V::R g = E::load(gate + i);
    const typename V::R silu =
        E::round(V::div(g, V::add(one, simd::exp<V>(V::sub(V::zero(), g)))));
    E::store(out + i, V::mul(silu, E::load(up + i)));
  }
}

// Pairs (x0, x1) of a head row become (x0 c - x1 s, x1 c + x0 s): x * [c, c] plus the
// pair-swapped x * [-s, s], as separate products and one sum like the op-by-op version (GCC
// would otherwise fuse a product and the sum into one FMA, which rounds once, not twice).
// cs / sn: this row's cos and sin already spread over the pairs, hd values each.
template <class V, class E>
void rope_head(const typename E::T* x, const float* cs, const float* sn, typename E::T* out,
               int64_t hd) {
  for (int64_t i = 0; i < hd; i += V::kLanes) {
    const typename V::R v = E::load(x + i);
    const typename V::R a = V::opaque(V::mul(v, V::load(cs + i)));
    const typename V::R b = V::opaque(V::mul(V::swap_pairs(v), V::load(sn + i)));
    E::store(out + i, V::add(a, b));
  }
}

template <class V, class E>
at::Tensor rms_norm_rows(const at::Tensor& x, const at::Tensor& gain, float eps) {
  const int64_t T = x.size(0), D = x.size(1);
  at::Tensor out = at::empty_like(x);
  const auto* xp = ptr<E>(x);
  const auto* gp = ptr<E>(gain);
  auto* op = mutable_ptr<E>(out);
  for_rows(T, D, [&](int64_t r) { rms_norm_row<V, E>(xp + r * D, gp, op + r * D, D, eps); });
  return out;
}

template <class V, class E>
at::Tensor swiglu_rows(const at::Tensor& gate_up) {
  const int64_t T = gate_up.size(0), F = gate_up.size(1) / 2;
  at::Tensor out = at::empty({T, F}, gate_up.options());
  const auto* gp = ptr<E>(gate_up);
  auto* op = mutable_ptr<E>(out);
  for_rows(T, F, [&](int64_t r) {
    swiglu_row<V, E>(gp + r * 2 * F, gp + r * 2 * F + F, op + r * F, F);
  });
  return out;
}

template <class V, class E>
at::Tensor rope_rows(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  const int64_t T = x.size(0), H = x.size(1), hd = x.size(2), row_stride = x.stride(0);
  at::Tensor out = at::empty({T, H, hd}, x.options());
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
      rope_head<V, E>(xp + t * row_stride + h * hd, cs.data(), sn.data(),
                      op + (t * H + h) * hd, hd);
    }
  });
  return out;
}

// ---- Attention (cpu_attention.h): per (sequence, kv head, block of new rows), scores,
// softmax and the weighted sum of values in fp32, reading the cache in place.

constexpr int64_t kAttentionRowBlock = 16;  // new rows per unit of work

struct AttentionDims {
  int64_t B, n, H, KV, hd, L, start;
  float scale;
};

template <class V, class E>
float dot(const typename V::R* q, const typename E::T* k, int64_t chunks) {
  typename V::R acc = V::mul(q[0], E::load(k));
  for (int64_t c = 1; c < chunks; ++c) acc = V::fmadd(q[c], E::load(k + V::kLanes * c), acc);
  return V::reduce_add(acc);
}

// Softmax numerators in place: p[j] = e^(p[j] - max); returns their sum.
template <class V>
float exp_shifted(float* p, int64_t count, float max) {
  const typename V::R m = V::set1(max);
  typename V::R sum = V::zero();
  int64_t j = 0;
  for (; j + V::kLanes <= count; j += V::kLanes) {
    const typename V::R e = simd::exp<V>(V::sub(V::load(p + j), m));
    V::store(p + j, e);
    sum = V::add(sum, e);
  }
  if (j < count) {
    const typename V::Mask lanes = V::first_lanes(count - j);
    const typename V::R e = simd::exp<V>(V::sub(V::load_first(lanes, p + j), m));
    V::store_first(lanes, p + j, e);
    sum = V::add_first(lanes, sum, e);
  }
  return V::reduce_add(sum);
}

// Every query head of kv head g of sequence b, new rows r0..r1-1.
template <class V, class E>
void attend_group(const AttentionDims& d, const at::Tensor& q, const at::Tensor& keys,
                  const at::Tensor& values, at::Tensor& out, int64_t b, int64_t g, int64_t r0,
                  int64_t r1, std::vector<float>& scores) {
  using T = typename E::T;
  constexpr int64_t kMaxChunks = detail::kMaxAttentionHeadDim / V::kLanes;
  const int64_t chunks = d.hd / V::kLanes, G = d.H / d.KV;
  const T* kp = static_cast<const T*>(keys.data_ptr()) + b * keys.stride(0) + g * keys.stride(1);
  const T* vp =
      static_cast<const T*>(values.data_ptr()) + b * values.stride(0) + g * values.stride(1);
  const int64_t k_row = keys.stride(2), v_row = values.stride(2);
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t visible = d.start + r + 1;
    for (int64_t h = g * G; h < (g + 1) * G; ++h) {
      const T* qp = static_cast<const T*>(q.data_ptr()) + ((b * d.n + r) * d.H + h) * d.hd;
      typename V::R qv[kMaxChunks];
      for (int64_t c = 0; c < chunks; ++c) qv[c] = E::load(qp + V::kLanes * c);
      float max = -std::numeric_limits<float>::infinity();
      for (int64_t j = 0; j < visible; ++j) {
        scores[j] = dot<V, E>(qv, kp + j * k_row, chunks) * d.scale;
        max = std::max(max, scores[j]);
      }
      const float sum = exp_shifted<V>(scores.data(), visible, max);
      typename V::R acc[kMaxChunks];
      for (int64_t c = 0; c < chunks; ++c) acc[c] = V::zero();
      for (int64_t j = 0; j < visible; ++j) {
        const typename V::R p = V::set1(scores[j]);
        for (int64_t c = 0; c < chunks; ++c) {
          acc[c] = V::fmadd(p, E::load(vp + j * v_row + V::kLanes * c), acc[c]);
        }
      }
      const typename V::R inv = V::set1(1.0f / sum);
      T* op = static_cast<T*>(out.data_ptr()) + (b * d.n + r) * d.H * d.hd + h * d.hd;
      for (int64_t c = 0; c < chunks; ++c) E::store(op + V::kLanes * c, V::mul(acc[c], inv));
    }
  }
}

template <class V, class E>
at::Tensor attention_units(const AttentionDims& d, const at::Tensor& q, const at::Tensor& keys,
                           const at::Tensor& values) {
  at::Tensor out = at::empty({d.B * d.n, d.H * d.hd}, q.options());
  // Units of (sequence, kv head, block of new rows): a prompt chunk of a single sequence
  // still spreads over every thread. Spread when each unit is big enough to pay.
  const int64_t blocks = (d.n + kAttentionRowBlock - 1) / kAttentionRowBlock;
  const int64_t work = (d.H / d.KV) * std::min(d.n, kAttentionRowBlock) * d.L * d.hd;
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 17) / std::max<int64_t>(1, work));
  at::parallel_for(0, d.B * d.KV * blocks, grain, [&](int64_t u0, int64_t u1) {
    std::vector<float> scores(static_cast<size_t>(d.L) + V::kLanes);
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t block = u % blocks, group = u / blocks;
      const int64_t r0 = block * kAttentionRowBlock, r1 = std::min(d.n, r0 + kAttentionRowBlock);
      attend_group<V, E>(d, q, keys, values, out, group / d.KV, group % d.KV, r0, r1, scores);
    }
  });
  return out;
}

// ---- The entry points of cpu_kernels.h's KernelSet, for x of bf16 or fp32.

template <class V>
at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& gain, float eps) {
  if (x.scalar_type() == at::kBFloat16) return rms_norm_rows<V, Bf16<V>>(x, gain, eps);
  return rms_norm_rows<V, F32<V>>(x, gain, eps);
}

template <class V>
at::Tensor swiglu(const at::Tensor& gate_up) {
  if (gate_up.scalar_type() == at::kBFloat16) return swiglu_rows<V, Bf16<V>>(gate_up);
  return swiglu_rows<V, F32<V>>(gate_up);
}

template <class V>
at::Tensor rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  if (x.scalar_type() == at::kBFloat16) return rope_rows<V, Bf16<V>>(x, cos, sin);
  return rope_rows<V, F32<V>>(x, cos, sin);
}

template <class V>
at::Tensor attention(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& values,
                     int64_t start, float scale) {
  const AttentionDims d{q.size(0), q.size(1),    q.size(2), keys.size(1),
                        q.size(3), keys.size(2), start,     scale};
  if (q.scalar_type() == at::kBFloat16) return attention_units<V, Bf16<V>>(d, q, keys, values);
  return attention_units<V, F32<V>>(d, q, keys, values);
}

template <class V>
detail::KernelSet kernel_set(const char* name) {
  return {name, rms_norm<V>, swiglu<V>, rope<V>, attention<V>};
}

}  // namespace csm::model::simd
