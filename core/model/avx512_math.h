// Internal to core/model's CPU kernels: AVX512 building blocks shared by the fused kernels
// (cpu_elementwise.cpp, cpu_attention.cpp). Include only from .cpp files.
#pragma once

// GCC 12 reports its own _mm512_undefined_*() placeholders inside the AVX512 intrinsics as
// uninitialised once they are inlined: a known false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>

#define CSM_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

namespace csm::model::avx512 {

// 16 values of one element type as fp32 lanes. `round` is what storing and reloading does
// (bf16 rounds to nearest even; fp32 keeps the value), for the roundings LibTorch makes
// between its ops.
struct Bf16 {
  using T = uint16_t;
  CSM_AVX512 static __m512 load(const T* p) {
    const __m256i bits = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(bits), 16));
  }
  CSM_AVX512 static void store(T* p, __m512 v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), (__m256i)_mm512_cvtneps_pbh(v));
  }
  CSM_AVX512 static __m512 round(__m512 v) {
    const __m256i bits = (__m256i)_mm512_cvtneps_pbh(v);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(bits), 16));
  }
};
struct F32 {
  using T = float;
  CSM_AVX512 static __m512 load(const T* p) { return _mm512_loadu_ps(p); }
  CSM_AVX512 static void store(T* p, __m512 v) { _mm512_storeu_ps(p, v); }
  CSM_AVX512 static __m512 round(__m512 v) { return v; }
};

// e^x to about 2 ulp: x = n ln2 + r with |r| <= ln2/2 (ln2 split in two for an exact
// product), e^r by its degree-6 Taylor polynomial (error < 2e-7), times 2^n by scalef.
CSM_AVX512 inline __m512 exp16(__m512 x) {
  x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.7f)), _mm512_set1_ps(-87.3f));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145752f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.42860677e-6f), r);
  __m512 p = _mm512_set1_ps(1.0f / 720);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(p, n);
}

// Rows in parallel only when there is enough work to pay for waking the other threads.
template <class F>
void for_rows(int64_t rows, int64_t row_size, const F& f) {
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / row_size);
  at::parallel_for(0, rows, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) f(r);
  });
}

}  // namespace csm::model::avx512
