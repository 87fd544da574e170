// simd_kernels.h on 16 fp32 lanes of AVX512 (bf16 through AVX512-BF16's conversions).
// cpu_elementwise.cpp and cpu_attention.cpp call it only where kernel_isa() says avx512.
//
// GCC 12 reports its own _mm512_undefined_*() placeholders inside the AVX512 intrinsics as
// uninitialised once they are inlined: a known false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

// ATen's headers, not <torch/torch.h>, whose <x86intrin.h> would clash with the intrinsics of
// tests/avx512_emulated's build.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/model/cpu_kernels.h"

// Everything defined from here on is compiled for AVX512 (see simd_kernels.h). Not in
// tests/avx512_emulated's build, which runs this code on SIMDe's portable intrinsics.
#ifndef CSM_EMULATED_AVX512
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512bf16")
#endif

#include "core/model/simd_kernels.h"

namespace csm::model::detail::avx512 {
namespace {

struct Vec {
  using R = __m512;
  using Mask = __mmask16;
  static constexpr int64_t kLanes = 16;

  static R zero() { return _mm512_setzero_ps(); }
  static R set1(float v) { return _mm512_set1_ps(v); }
  static R add(R a, R b) { return _mm512_add_ps(a, b); }
  static R sub(R a, R b) { return _mm512_sub_ps(a, b); }
  static R mul(R a, R b) { return _mm512_mul_ps(a, b); }
  static R div(R a, R b) { return _mm512_div_ps(a, b); }
  static R fmadd(R a, R b, R c) { return _mm512_fmadd_ps(a, b, c); }
  static R fnmadd(R a, R b, R c) { return _mm512_fnmadd_ps(a, b, c); }
  static R max(R a, R b) { return _mm512_max_ps(a, b); }
  static R min(R a, R b) { return _mm512_min_ps(a, b); }
  static float reduce_add(R v) { return _mm512_reduce_add_ps(v); }
  static R round_nearest(R v) {
    return _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  static R mul_pow2(R p, R n) { return _mm512_scalef_ps(p, n); }
  static R swap_pairs(R v) { return _mm512_permute_ps(v, 0xB1); }
  static R opaque(R v) {
#ifdef CSM_EMULATED_AVX512
    asm("" : "+m"(v));  // SIMDe's 64-byte vectors fit no register without AVX512
#else
    asm("" : "+v"(v));
#endif
    return v;
  }

  static R load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, R v) { _mm512_storeu_ps(p, v); }
  static R load_bf16(const uint16_t* p) {
    const __m256i bits = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(bits), 16));
  }
  static void store_bf16(uint16_t* p, R v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), (__m256i)_mm512_cvtneps_pbh(v));
  }
  static R round_bf16(R v) {
    const __m256i bits = (__m256i)_mm512_cvtneps_pbh(v);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(bits), 16));
  }

  static Mask first_lanes(int64_t count) {
    return count >= kLanes ? Mask(0xFFFF) : Mask((1u << count) - 1);
  }
  static R load_first(Mask m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
  static void store_first(Mask m, float* p, R v) { _mm512_mask_storeu_ps(p, m, v); }
  static R add_first(Mask m, R sum, R v) { return _mm512_mask_add_ps(sum, m, sum, v); }
};

}  // namespace
}  // namespace csm::model::detail::avx512

#ifndef CSM_EMULATED_AVX512
#pragma GCC pop_options
#endif

namespace csm::model::detail {

const KernelSet& avx512_kernels() {
  static const KernelSet set = simd::kernel_set<avx512::Vec>("avx512");
  return set;
}

}  // namespace csm::model::detail
