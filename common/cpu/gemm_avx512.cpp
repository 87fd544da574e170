// The AVX512 kernels behind gemm() (gemm.h): bf16 with AVX512-BF16 dot products, fp32 with
// AVX512F FMA. Compiled with function target attributes; gemm.cpp calls them only when the
// CPU has the instructions (features.h).
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <utility>

#include "common/cpu/gemm_kernels.h"

namespace csm::cpu::detail {
namespace {

// tests/avx512_emulated compiles this file without the target, on SIMDe's portable intrinsics.
#ifdef CSM_EMULATED_AVX512
#define CSM_AVX512
#else
#define CSM_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
#endif

CSM_AVX512 inline float sum_lanes(__m512 v) {
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, v);
  float sum = 0.0f;
  for (float l : lanes) sum += l;
  return sum;
}

// One step of K for both element types: 32 bf16 (one dpbf16) or 16 fp32 (one FMA).
struct Bf16 {
  using T = uint16_t;
  using Out = at::BFloat16;  // constructed from the fp32 sum: rounds to nearest even
  static constexpr int64_t kStep = 32;
  CSM_AVX512 static __m512i load(const T* p) { return _mm512_loadu_si512(p); }
  CSM_AVX512 static __m512 madd(__m512 acc, __m512i w, __m512i x) {
    return _mm512_dpbf16_ps(acc, (__m512bh)w, (__m512bh)x);
  }
};
struct F32 {
  using T = float;
  using Out = float;
  static constexpr int64_t kStep = 16;
  CSM_AVX512 static __m512 load(const T* p) { return _mm512_loadu_ps(p); }
  CSM_AVX512 static __m512 madd(__m512 acc, __m512 w, __m512 x) {
    return _mm512_fmadd_ps(w, x, acc);
  }
};

// out[t][n] for n in [n0, n1), t in [0, TB): R rows of w at a time, TB rows of x.
template <class E, int TB, int R>
CSM_AVX512 void kernel(const typename E::T* x, const typename E::T* w, typename E::Out* out,
                       int64_t K, int64_t N, int64_t n0, int64_t n1) {
  using V = decltype(E::load(x));
  const int64_t ahead = prefetch_distance<typename E::T, R>(K);
  int64_t n = n0;
  for (; n + R <= n1; n += R) {
    __m512 acc[R][TB];
    for (int r = 0; r < R; ++r)
      for (int t = 0; t < TB; ++t) acc[r][t] = _mm512_setzero_ps();
    for (int64_t k = 0; k < K; k += E::kStep) {
      V xv[TB];
      for (int t = 0; t < TB; ++t) xv[t] = E::load(x + t * K + k);
      for (int r = 0; r < R; ++r) {
        const typename E::T* row = w + (n + r) * K + k;
        _mm_prefetch(reinterpret_cast<const char*>(row + ahead), _MM_HINT_T0);
        const V wv = E::load(row);
        for (int t = 0; t < TB; ++t) acc[r][t] = E::madd(acc[r][t], wv, xv[t]);
      }
    }
    for (int r = 0; r < R; ++r)
      for (int t = 0; t < TB; ++t) out[t * N + n + r] = typename E::Out(sum_lanes(acc[r][t]));
  }
  if (n < n1) kernel<E, TB, 1>(x, w, out, K, N, n, n1);
}

template <class E, int TB>
void run_block(const typename E::T* x, const typename E::T* w, typename E::Out* out, int64_t K,
               int64_t N, int64_t n0, int64_t n1) {
  // R*TB accumulators + TB x vectors + 1 weight vector fit in 32 zmm registers.
  constexpr int R = TB <= 3 ? 8 : TB == 4 ? 6 : TB <= 6 ? 4 : TB == 7 ? 3 : 2;
  kernel<E, TB, R>(x, w, out, K, N, n0, n1);
}

// run_block<E, 1..kMaxRowsX>, indexed by the number of x rows minus one.
template <class E, size_t... I>
constexpr auto block_kernels(std::index_sequence<I...>) {
  return std::array{&run_block<E, static_cast<int>(I) + 1>...};
}

template <class E>
void dispatch(int64_t tb, const typename E::T* x, const typename E::T* w, typename E::Out* out,
              int64_t K, int64_t N, int64_t n0, int64_t n1) {
  static constexpr auto kernels = block_kernels<E>(std::make_index_sequence<kMaxRowsX>{});
  kernels[static_cast<size_t>(std::min(tb, kMaxRowsX) - 1)](x, w, out, K, N, n0, n1);
}

}  // namespace

void avx512_rows(int64_t tb, const uint16_t* x, const uint16_t* w, at::BFloat16* out, int64_t K,
                 int64_t N, int64_t n0, int64_t n1) {
  dispatch<Bf16>(tb, x, w, out, K, N, n0, n1);
}

void avx512_rows(int64_t tb, const float* x, const float* w, float* out, int64_t K, int64_t N,
                 int64_t n0, int64_t n1) {
  dispatch<F32>(tb, x, w, out, K, N, n0, n1);
}

}  // namespace csm::cpu::detail
