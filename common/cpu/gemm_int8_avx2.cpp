// int8_kernel.h on AVX2 (16 int16 lanes: vpmaddwd, then vpaddd), behind gemm_int8() (gemm.h)
// on CPUs without AVX512-VNNI. gemm.cpp calls it only when has_avx2() (features.h).
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "common/cpu/gemm_kernels.h"

// Everything defined from here on is compiled for AVX2 (see int8_kernel.h).
#pragma GCC push_options
#pragma GCC target("avx2,fma")

#include "common/cpu/int8_kernel.h"

namespace csm::cpu::detail {
namespace {

struct Avx2 {
  using Reg = __m256i;
  static constexpr int64_t kLanes = 16;
  // 16 ymm registers: R * tb int32 accumulators + R widened weights + 1 x vector.
  static constexpr int rows_per_block(int tb) {
    return tb == 1 ? 6 : tb == 2 ? 4 : tb == 3 ? 3 : tb <= 5 ? 2 : 1;
  }
  static Reg zero() { return _mm256_setzero_si256(); }
  static Reg widen(const int8_t* p) {
    return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static Reg load(const int16_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  static Reg dot_add(Reg acc, Reg w, Reg x) {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(w, x));
  }
  // In int64: each lane may be near 2^31 after a full block.
  static int64_t sum_i64(Reg v) {
    const __m256i q = _mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(v)),
                                       _mm256_cvtepi32_epi64(_mm256_extracti128_si256(v, 1)));
    const __m128i h = _mm_add_epi64(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
    return _mm_cvtsi128_si64(h) + _mm_extract_epi64(h, 1);
  }
};

}  // namespace

void avx2_rows(int64_t tb, const float* x, const int8_t* w, const float* scales,
               at::BFloat16* out, int64_t K, int64_t N, int64_t n0, int64_t n1) {
  int8::run_rows<Avx2>(tb, x, w, scales, out, K, N, n0, n1);
}

void avx2_rows(int64_t tb, const float* x, const int8_t* w, const float* scales, float* out,
               int64_t K, int64_t N, int64_t n0, int64_t n1) {
  int8::run_rows<Avx2>(tb, x, w, scales, out, K, N, n0, n1);
}

}  // namespace csm::cpu::detail

#pragma GCC pop_options
