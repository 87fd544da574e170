// int8_kernel.h on AVX512-VNNI (32 int16 lanes: one vpdpwssd per multiply-add), behind
// gemm_int8() (gemm.h). gemm.cpp calls it only when has_avx512_vnni() (features.h); AVX512
// CPUs without VNNI (Skylake-SP) take the AVX2 kernel.
//
// GCC 12 reports its own _mm512_undefined_*() placeholders inside the AVX512 intrinsics as
// uninitialised once they are inlined: a known false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "common/cpu/gemm_kernels.h"

// Everything defined from here on is compiled for AVX512-VNNI (see int8_kernel.h). Not in
// tests/avx512_emulated's build, which runs this code on SIMDe's portable intrinsics.
#ifndef CSM_EMULATED_AVX512
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512vnni")
#endif

#include "common/cpu/int8_kernel.h"

namespace csm::cpu::detail {
namespace {

struct Avx512Vnni {
  using Reg = __m512i;
  static constexpr int64_t kLanes = 32;
  // 32 zmm registers: R * tb int32 accumulators + R widened weights + 1 x vector (at most 31).
  static constexpr int rows_per_block(int tb) {
    return tb <= 2 ? 8 : tb <= 4 ? 6 : tb <= 6 ? 4 : 3;
  }
  static Reg zero() { return _mm512_setzero_si512(); }
  static Reg widen(const int8_t* p) {
    return _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static Reg load(const int16_t* p) { return _mm512_loadu_si512(p); }
  static Reg dot_add(Reg acc, Reg w, Reg x) {
#ifdef CSM_EMULATED_AVX512
    return _mm512_dpwssd_epi32(acc, w, x);
#else
    // The instruction written out: around each _mm512_dpwssd_epi32, GCC 12 copies the
    // accumulator to another register and back, and from 4 rows of x on it also stores the
    // accumulators to the stack every step. That made int8 slower than bf16 at several rows
    // of x (csm-bench-model --model gemm, 24 rows: 0.71-0.96x bf16's speed; now 1.12-1.46x).
    asm("vpdpwssd %2, %1, %0" : "+v"(acc) : "v"(w), "vm"(x));
    return acc;
#endif
  }
  // In int64: each lane may be near 2^31 after a full block.
  static int64_t sum_i64(Reg v) {
    return _mm512_reduce_add_epi64(
        _mm512_add_epi64(_mm512_cvtepi32_epi64(_mm512_castsi512_si256(v)),
                         _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(v, 1))));
  }
};

}  // namespace

void avx512_rows(int64_t tb, const float* x, const int8_t* w, const float* scales,
                 at::BFloat16* out, int64_t K, int64_t N, int64_t n0, int64_t n1) {
  int8::run_rows<Avx512Vnni>(tb, x, w, scales, out, K, N, n0, n1);
}

void avx512_rows(int64_t tb, const float* x, const int8_t* w, const float* scales, float* out,
                 int64_t K, int64_t N, int64_t n0, int64_t n1) {
  int8::run_rows<Avx512Vnni>(tb, x, w, scales, out, K, N, n0, n1);
}

}  // namespace csm::cpu::detail

#ifndef CSM_EMULATED_AVX512
#pragma GCC pop_options
#endif
