#include "core/model/cpu_attention.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "common/cpu/features.h"
#include "core/model/avx512_math.h"

namespace csm::model {
namespace {

constexpr int64_t kMaxChunks = 16;  // head_dim / 16 fp32 lanes, up to 256
constexpr int64_t kRowBlock = 16;   // new rows per unit of work

struct Dims {
  int64_t B, n, H, KV, hd, L, start;
  float scale;
};

template <class E>
CSM_AVX512 float dot(const __m512* q, const typename E::T* k, int64_t chunks) {
  __m512 acc = _mm512_mul_ps(q[0], E::load(k));
  for (int64_t c = 1; c < chunks; ++c) acc = _mm512_fmadd_ps(q[c], E::load(k + 16 * c), acc);
  return _mm512_reduce_add_ps(acc);
}

// softmax numerators in place: p[j] = e^(p[j] - max), returns their sum.
CSM_AVX512 float exp_shifted(float* p, int64_t count, float max) {
  const __m512 m = _mm512_set1_ps(max);
  __m512 sum = _mm512_setzero_ps();
  for (int64_t j = 0; j < count; j += 16) {
    const __mmask16 lanes =
        count - j >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (count - j)) - 1);
    const __m512 e = avx512::exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(lanes, p + j), m));
    _mm512_mask_storeu_ps(p + j, lanes, e);
    sum = _mm512_mask_add_ps(sum, lanes, sum, e);
  }
  return _mm512_reduce_add_ps(sum);
}

// Every query head of kv head g of sequence b, new rows r0..r1-1.
template <class E>
CSM_AVX512 void attend_group(const Dims& d, const at::Tensor& q, const at::Tensor& keys,
                             const at::Tensor& values, at::Tensor& out, int64_t b, int64_t g,
                             int64_t r0, int64_t r1, std::vector<float>& scores) {
  using T = typename E::T;
  const int64_t chunks = d.hd / 16, G = d.H / d.KV;
  const T* kp = static_cast<const T*>(keys.data_ptr()) + b * keys.stride(0) + g * keys.stride(1);
  const T* vp =
      static_cast<const T*>(values.data_ptr()) + b * values.stride(0) + g * values.stride(1);
  const int64_t k_row = keys.stride(2), v_row = values.stride(2);
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t visible = d.start + r + 1;
    for (int64_t h = g * G; h < (g + 1) * G; ++h) {
      const T* qp = static_cast<const T*>(q.data_ptr()) + ((b * d.n + r) * d.H + h) * d.hd;
      __m512 qv[kMaxChunks];
      for (int64_t c = 0; c < chunks; ++c) qv[c] = E::load(qp + 16 * c);
      float max = -std::numeric_limits<float>::infinity();
      for (int64_t j = 0; j < visible; ++j) {
        scores[j] = dot<E>(qv, kp + j * k_row, chunks) * d.scale;
        max = std::max(max, scores[j]);
      }
      const float sum = exp_shifted(scores.data(), visible, max);
      __m512 acc[kMaxChunks];
      for (int64_t c = 0; c < chunks; ++c) acc[c] = _mm512_setzero_ps();
      for (int64_t j = 0; j < visible; ++j) {
        const __m512 p = _mm512_set1_ps(scores[j]);
        for (int64_t c = 0; c < chunks; ++c) {
          acc[c] = _mm512_fmadd_ps(p, E::load(vp + j * v_row + 16 * c), acc[c]);
        }
      }
      const __m512 inv = _mm512_set1_ps(1.0f / sum);
      T* op = static_cast<T*>(out.data_ptr()) + (b * d.n + r) * d.H * d.hd + h * d.hd;
      for (int64_t c = 0; c < chunks; ++c) E::store(op + 16 * c, _mm512_mul_ps(acc[c], inv));
    }
  }
}

template <class E>
at::Tensor run(const Dims& d, const at::Tensor& q, const at::Tensor& keys,
               const at::Tensor& values) {
  at::Tensor out = torch::empty({d.B * d.n, d.H * d.hd}, q.options());
  // Units of (sequence, kv head, block of new rows): a prompt chunk of a single sequence
  // still spreads over every thread. Spread when each unit is big enough to pay.
  const int64_t blocks = (d.n + kRowBlock - 1) / kRowBlock;
  const int64_t work = (d.H / d.KV) * std::min(d.n, kRowBlock) * d.L * d.hd;
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 17) / std::max<int64_t>(1, work));
  at::parallel_for(0, d.B * d.KV * blocks, grain, [&](int64_t u0, int64_t u1) {
    std::vector<float> scores(static_cast<size_t>(d.L) + 16);
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t block = u % blocks, group = u / blocks;
      const int64_t r0 = block * kRowBlock, r1 = std::min(d.n, r0 + kRowBlock);
      attend_group<E>(d, q, keys, values, out, group / d.KV, group % d.KV, r0, r1, scores);
    }
  });
  return out;
}

}  // namespace

bool cpu_attention_applicable(const at::Tensor& q, const at::Tensor& keys,
                              const at::Tensor& values) {
  const auto st = q.scalar_type();
  if (!cpu::kernels_support(st) || keys.scalar_type() != st || values.scalar_type() != st)
    return false;
  if (!q.device().is_cpu() || !keys.device().is_cpu() || !values.device().is_cpu()) return false;
  if (q.dim() != 4 || keys.dim() != 4 || values.sizes() != keys.sizes() || !q.is_contiguous()) {
    return false;
  }
  const int64_t hd = q.size(3);
  return hd % 16 == 0 && hd <= 16 * kMaxChunks &&
         keys.size(0) == q.size(0) && keys.size(3) == hd && keys.size(1) > 0 &&
         q.size(2) % keys.size(1) == 0 && keys.stride(3) == 1 && values.stride(3) == 1;
}

at::Tensor cpu_attention(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& values,
                         int64_t start, float scale) {
  const Dims d{q.size(0), q.size(1),    q.size(2), keys.size(1),
               q.size(3), keys.size(2), start,     scale};
  TORCH_CHECK(d.L == start + d.n, "cpu_attention: ", d.L, " keys for rows at ", start, "..",
              start + d.n - 1);
  if (q.scalar_type() == at::kBFloat16) return run<avx512::Bf16>(d, q, keys, values);
  return run<avx512::F32>(d, q, keys, values);
}

}  // namespace csm::model
