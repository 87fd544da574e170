// The AVX2 + FMA bf16 kernel behind gemm() on CPUs without AVX512-BF16 (e.g. AMD Zen 2/3),
// and avx2_x, which prepares x for it and for both int8 kernels (gemm_int8_avx2.cpp,
// gemm_int8_avx512.cpp). Compiled with function target attributes (the project is built for
// generic x86-64); gemm.cpp calls them only when has_avx2() (features.h).
//
// bf16: w is read 32 bytes per load and widened to fp32 in registers with shifts and masks
// only (no shuffles): a 32-bit lane holds elements 2j and 2j+1; `<< 16` gives the even one as
// fp32, `& 0xffff0000` the odd one (bf16 is the top half of an fp32). The four 8-lane groups
// of a step then hold the elements in an interleaved order, and x is permuted to the same
// order once per call (avx2_x), so the dot products are plain FMAs.
// int8: x is quantized once per call to int16 with one fp32 scale per row (|error| <=
// max|x_row| / 65534 per element, far below a bf16 activation's 2^-9 relative), so the int8
// kernels' dot products are exact integer sums (int8_kernel.h says why).
#include <immintrin.h>
#include <torch/torch.h>

#include <algorithm>

#include "common/cpu/gemm_kernels.h"

namespace csm::cpu::detail {
namespace {

#define CSM_AVX2 __attribute__((target("avx2,fma")))
#define CSM_AVX2_INLINE __attribute__((target("avx2,fma"), always_inline)) inline

// The bf16 kernel's step: 32 elements of K per row of w (64 bytes, one cache line), widened
// as 4 groups of 8 fp32 lanes.
constexpr int64_t kStep = 32;
constexpr int kGroups = 4;

// Position in the step of lane j of group g (the order permute_x gives x).
constexpr int64_t lane_index(int64_t g, int64_t j) { return 16 * (g / 2) + 2 * j + g % 2; }

// Group G of the step at p as 8 fp32 lanes.
template <int G>
CSM_AVX2_INLINE __m256 widen_bf16(const at::BFloat16* p) {
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 16 * (G / 2)));
  return _mm256_castsi256_ps(G % 2 == 0 ? _mm256_slli_epi32(v, 16)
                                        : _mm256_and_si256(v, _mm256_set1_epi32(-65536)));
}

CSM_AVX2_INLINE float sum_lanes(__m256 v) {
  const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
}

// Group G of one step: widen it for the R rows of w, then one x vector per x row, reused
// across the R rows (TB + R loads for R * TB FMAs).
template <int TB, int R, int G>
CSM_AVX2_INLINE void group(__m256 (&acc)[R][TB], const float* x, const at::BFloat16* w,
                           int64_t K) {
  __m256 wv[R];
  for (int r = 0; r < R; ++r) wv[r] = widen_bf16<G>(w + r * K);
  for (int t = 0; t < TB; ++t) {
    const __m256 xv = _mm256_loadu_ps(x + t * K + 8 * G);
    for (int r = 0; r < R; ++r) acc[r][t] = _mm256_fmadd_ps(wv[r], xv, acc[r][t]);
  }
}

// out[t][n] for n in [n0, n1), t in [0, TB): R rows of w at a time, TB rows of x.
template <int TB, int R>
CSM_AVX2 void bf16_kernel(const float* x, const at::BFloat16* w, at::BFloat16* out, int64_t K,
                          int64_t N, int64_t n0, int64_t n1) {
  const int64_t ahead = prefetch_distance<at::BFloat16, R>(K);
  int64_t n = n0;
  for (; n + R <= n1; n += R) {
    __m256 acc[R][TB];
    for (int r = 0; r < R; ++r)
      for (int t = 0; t < TB; ++t) acc[r][t] = _mm256_setzero_ps();
    const at::BFloat16* wn = w + n * K;
    for (int64_t k = 0; k < K; k += kStep) {
      for (int r = 0; r < R; ++r) {  // one prefetch per step: a step is one 64-byte line
        _mm_prefetch(reinterpret_cast<const char*>(wn + r * K + k + ahead), _MM_HINT_T0);
      }
      group<TB, R, 0>(acc, x + k, wn + k, K);
      group<TB, R, 1>(acc, x + k, wn + k, K);
      group<TB, R, 2>(acc, x + k, wn + k, K);
      group<TB, R, 3>(acc, x + k, wn + k, K);
    }
    for (int r = 0; r < R; ++r)
      for (int t = 0; t < TB; ++t) out[t * N + n + r] = at::BFloat16(sum_lanes(acc[r][t]));
  }
  if (n < n1) bf16_kernel<TB, 1>(x, w, out, K, N, n, n1);
}

// bf16_kernel<tb, R(tb)> for a run-time tb in 1..kMaxRowsX.
template <int TB = 1>
void run_bf16_rows(int64_t tb, const float* x, const at::BFloat16* w, at::BFloat16* out,
                   int64_t K, int64_t N, int64_t n0, int64_t n1) {
  if constexpr (TB < kMaxRowsX) {
    if (tb > TB) return run_bf16_rows<TB + 1>(tb, x, w, out, K, N, n0, n1);
  }
  // 16 ymm registers: R*TB accumulators + R widened weights + 1 x vector + 2 temporaries.
  constexpr int R = TB == 1 ? 6 : TB == 2 ? 4 : TB == 3 ? 3 : TB <= 5 ? 2 : 1;
  bf16_kernel<TB, R>(x, w, out, K, N, n0, n1);
}

// 8 elements of x as fp32 lanes: bf16 is the top half of an fp32.
CSM_AVX2_INLINE __m256 load8(const float* p) { return _mm256_loadu_ps(p); }
CSM_AVX2_INLINE __m256 load8(const at::BFloat16* p) {
  const __m128i bits = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(bits), 16));
}

// x [T, K] of fp32 or bf16 -> the int8 kernel's x: per row, int16 xq[k] = round-half-even(x[k]
// / sx) in [-32767, 32767] in the row's first 2K bytes, and sx = max|x| / 32767 (1 for an
// all-zero row) at float index K/2; the rest of the row is unused. Vectorized: cvtps2dq rounds
// to nearest even under the default MXCSR. bf16 is read as it is (no converted copy of x).
template <class X>
CSM_AVX2 void int16_x(const X* x, int64_t T, int64_t K, float* out) {
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  for (int64_t t = 0; t < T; ++t) {
    const X* xr = x + t * K;
    __m256 m = _mm256_setzero_ps();
    for (int64_t k = 0; k < K; k += 8) {
      m = _mm256_max_ps(m, _mm256_and_ps(load8(xr + k), abs_mask));
    }
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    const float largest = _mm_cvtss_f32(m4);
    const float sx = largest > 0.0f ? largest / 32767.0f : 1.0f;
    const __m256 inv = _mm256_set1_ps(1.0f / sx);
    int16_t* q = reinterpret_cast<int16_t*>(out + t * K);
    for (int64_t k = 0; k < K; k += 16) {
      const __m256i a = _mm256_cvtps_epi32(_mm256_mul_ps(load8(xr + k), inv));
      const __m256i b = _mm256_cvtps_epi32(_mm256_mul_ps(load8(xr + k + 8), inv));
      // x / sx may round to 32768 at the largest element: packs saturates it to 32767, and
      // the max keeps -32768 out (the weights' range is symmetric too).
      __m256i p = _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0xd8);
      p = _mm256_max_epi16(p, _mm256_set1_epi16(-32767));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + k), p);
    }
    out[t * K + K / 2] = sx;
  }
}

// x [T, K] -> fp32 [T, K] with each step of K in the bf16 kernel's lane order:
// [step][group][lane]. A plain loop: T x K is small, and a few LibTorch ops would cost more
// than the copy for small w.
template <class X>
void permute_x(const X* x, float* out, int64_t count) {
  for (int64_t k = 0; k < count; k += kStep)
    for (int64_t g = 0; g < kGroups; ++g)
      for (int64_t j = 0; j < 8; ++j) out[k + 8 * g + j] = static_cast<float>(x[k + lane_index(g, j)]);
}

at::Tensor permute_x(const at::Tensor& x_in) {
  const at::Tensor x = x_in.contiguous();
  at::Tensor out = torch::empty(x.sizes(), x.options().dtype(torch::kFloat));
  if (x.scalar_type() == at::kFloat) {
    permute_x(x.data_ptr<float>(), out.data_ptr<float>(), x.numel());
  } else {
    permute_x(x.data_ptr<at::BFloat16>(), out.data_ptr<float>(), x.numel());
  }
  return out;
}

}  // namespace

at::Tensor avx2_x(const at::Tensor& x_in, c10::ScalarType w_type) {
  if (w_type != at::kChar) return permute_x(x_in);
  const at::Tensor x = x_in.contiguous();
  at::Tensor out = torch::empty(x.sizes(), x.options().dtype(at::kFloat));
  // gemm_int8_applicable took only bf16 and fp32 x.
  if (x.scalar_type() == at::kBFloat16) {
    int16_x(x.data_ptr<at::BFloat16>(), x.size(0), x.size(1), out.data_ptr<float>());
  } else {
    int16_x(x.data_ptr<float>(), x.size(0), x.size(1), out.data_ptr<float>());
  }
  return out;
}

void avx2_rows(int64_t tb, const float* x, const at::BFloat16* w, at::BFloat16* out, int64_t K,
               int64_t N, int64_t n0, int64_t n1) {
  run_bf16_rows(tb, x, w, out, K, N, n0, n1);
}

}  // namespace csm::cpu::detail
