// simd_kernels.h on 8 fp32 lanes of AVX2 + FMA, for CPUs without AVX512 (AMD Zen 1-3, Intel
// client cores) and for bf16 where AVX512-BF16 is missing. bf16 is widened by a shift and
// rounded to nearest even in integer arithmetic, as c10::BFloat16 does.
// cpu_elementwise.cpp and cpu_attention.cpp call it only where kernel_isa() says avx2.
#include <immintrin.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/model/cpu_kernels.h"

// Everything defined from here on is compiled for AVX2 (see simd_kernels.h).
#pragma GCC push_options
#pragma GCC target("avx2,fma")

#include "core/model/simd_kernels.h"

namespace csm::model::detail::avx2 {
namespace {

struct Vec {
  using R = __m256;
  using Mask = __m256i;  // lanes of all ones or zero
  static constexpr int64_t kLanes = 8;

  static R zero() { return _mm256_setzero_ps(); }
  static R set1(float v) { return _mm256_set1_ps(v); }
  static R add(R a, R b) { return _mm256_add_ps(a, b); }
  static R sub(R a, R b) { return _mm256_sub_ps(a, b); }
  static R mul(R a, R b) { return _mm256_mul_ps(a, b); }
  static R div(R a, R b) { return _mm256_div_ps(a, b); }
  static R fmadd(R a, R b, R c) { return _mm256_fmadd_ps(a, b, c); }
  static R fnmadd(R a, R b, R c) { return _mm256_fnmadd_ps(a, b, c); }
  static R max(R a, R b) { return _mm256_max_ps(a, b); }
  static R min(R a, R b) { return _mm256_min_ps(a, b); }
  static float reduce_add(R v) {
    const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
  }
  static R round_nearest(R v) {
    return _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  // 2^e for integral e in [-126, 127], built in the exponent field.
  static R pow2(__m256i e) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(e, _mm256_set1_epi32(127)), 23));
  }
  // n in [-126, 128] is split into two halves that are each a normal power of two: the first
  // product is exact, so the result rounds at most once, as AVX512's scalef does.
  static R mul_pow2(R p, R n) {
    const __m256i e = _mm256_cvtps_epi32(n);
    const __m256i half = _mm256_srai_epi32(e, 1);
    return mul(mul(p, pow2(half)), pow2(_mm256_sub_epi32(e, half)));
  }
  static R swap_pairs(R v) { return _mm256_permute_ps(v, 0xB1); }
  static R opaque(R v) {
    asm("" : "+x"(v));
    return v;
  }

  static R load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, R v) { _mm256_storeu_ps(p, v); }
  static R load_bf16(const uint16_t* p) {
    const __m128i bits = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(bits), 16));
  }
  // The bf16 of each lane in its low 16 bits: round to nearest even by adding 0x7fff plus the
  // lowest kept bit, then truncating; NaN becomes the quiet NaN 0x7fc0.
  static __m256i bf16_bits(R v) {
    const __m256i bits = _mm256_castps_si256(v);
    const __m256i odd = _mm256_and_si256(_mm256_srli_epi32(bits, 16), _mm256_set1_epi32(1));
    const __m256i rounded = _mm256_srli_epi32(
        _mm256_add_epi32(bits, _mm256_add_epi32(odd, _mm256_set1_epi32(0x7fff))), 16);
    const __m256i nan = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    return _mm256_blendv_epi8(rounded, _mm256_set1_epi32(0x7fc0), nan);
  }
  static void store_bf16(uint16_t* p, R v) {
    const __m256i b = bf16_bits(v);
    const __m128i packed =
        _mm_packus_epi32(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), packed);
  }
  static R round_bf16(R v) { return _mm256_castsi256_ps(_mm256_slli_epi32(bf16_bits(v), 16)); }

  static Mask first_lanes(int64_t count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(std::min<int64_t>(count, kLanes))),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static R load_first(Mask m, const float* p) { return _mm256_maskload_ps(p, m); }
  static void store_first(Mask m, float* p, R v) { _mm256_maskstore_ps(p, m, v); }
  static R add_first(Mask m, R sum, R v) {
    return _mm256_add_ps(sum, _mm256_and_ps(v, _mm256_castsi256_ps(m)));
  }
};

}  // namespace
}  // namespace csm::model::detail::avx2

#pragma GCC pop_options

namespace csm::model::detail {

const KernelSet& avx2_kernels() {
  static const KernelSet set = simd::kernel_set<avx2::Vec>("avx2");
  return set;
}

}  // namespace csm::model::detail
