// Stands in for <immintrin.h> where tests/avx512_emulated compiles the AVX512 kernel sources of
// common/cpu and core/model (defined CSM_EMULATED_AVX512: no target pragma or attribute):
// SIMDe's portable implementations of the AVX512F/BW/VL, VNNI and BF16 intrinsics under their
// Intel names, so the kernels' own code runs, and is checked, on a CPU without AVX512. Only
// those objects see this folder. Where the CPU has AVX512, compare-outputs.sh checks that the
// emulated kernels give the real ones' bytes.
#pragma once

#if defined(__AVX512F__)
#error "the emulated AVX512 kernels are compiled without AVX512: SIMDe would use the real ones"
#endif

#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>

#include <cmath>
#include <cstdint>
#include <cstring>

typedef simde__mmask16 __mmask16;
#ifndef _MM_FROUND_NO_EXC
#define _MM_FROUND_NO_EXC SIMDE_MM_FROUND_NO_EXC
#endif

// The intrinsics below are ours, written from the definitions in Intel's intrinsics guide and
// SDM one lane at a time, in place of SIMDe's whatever its version: SIMDe 0.7 (Debian 12) lacks
// some; it adds the two products of VDPBF16PS before the sum and rounds FMA twice; SIMDe 0.8
// (Debian 13) writes zeros under a store's mask-off lanes and reads past a masked load's.
namespace csm_emulated_avx512 {

template <class Lane, int N, class V>
inline void to_lanes(V v, Lane (&lanes)[N]) {
  static_assert(sizeof(V) == sizeof(lanes));
  std::memcpy(lanes, &v, sizeof(V));
}

template <class V, class Lane, int N>
inline V from_lanes(const Lane (&lanes)[N]) {
  static_assert(sizeof(V) == sizeof(lanes));
  V v;
  std::memcpy(&v, lanes, sizeof(V));
  return v;
}

// N lanes of type In in `a`, each converted to Out (sign or zero extension as the types say).
template <class Result, class In, class Out, int N, class V>
inline Result widen_lanes(V a) {
  In in[N];
  Out out[N];
  to_lanes(a, in);
  for (int i = 0; i < N; ++i) out[i] = in[i];
  return from_lanes<Result>(out);
}

// VPMOVSXDQ: 8 int32 sign-extended to int64.
inline simde__m512i cvtepi32_epi64(simde__m256i a) {
  return widen_lanes<simde__m512i, int32_t, int64_t, 8>(a);
}

// VPMOVZXWD: 16 uint16 zero-extended to int32.
inline simde__m512i cvtepu16_epi32(simde__m256i a) {
  return widen_lanes<simde__m512i, uint16_t, int32_t, 16>(a);
}

// The sum of 8 int64 lanes (wrapping, as the instruction sequence does).
inline int64_t reduce_add_epi64(simde__m512i a) {
  uint64_t lanes[8];
  to_lanes(a, lanes);
  uint64_t sum = 0;
  for (uint64_t lane : lanes) sum += lane;
  return static_cast<int64_t>(sum);
}

// The sum of 16 floats in the order of GCC's sequence (avx512fintrin.h): halves added
// lane-wise (16 -> 8 -> 4), then lanes two apart, then the two sums; so the bits are the same.
inline float reduce_add_ps(simde__m512 a) {
  float v[16];
  to_lanes(a, v);
  for (int i = 0; i < 8; ++i) v[i] += v[i + 8];
  for (int i = 0; i < 4; ++i) v[i] += v[i + 4];
  return (v[0] + v[2]) + (v[1] + v[3]);
}

// VPERMILPS with an immediate: within each 128-bit lane, element i takes element
// (imm >> 2i) & 3.
inline simde__m512 permute_ps(simde__m512 a, int imm) {
  float in[16], out[16];
  to_lanes(a, in);
  for (int i = 0; i < 16; ++i) out[i] = in[(i & ~3) + ((imm >> (2 * (i & 3))) & 3)];
  return from_lanes<simde__m512>(out);
}

// Loads the lanes whose mask bit is set (reading only those: the others may lie past the end
// of the data, where the instruction suppresses faults), zero in the others.
inline simde__m512 maskz_loadu_ps(simde__mmask16 k, const void* p) {
  float out[16] = {};
  const auto* in = static_cast<const float*>(p);
  for (int i = 0; i < 16; ++i) {
    if ((k >> i) & 1) out[i] = in[i];
  }
  return from_lanes<simde__m512>(out);
}

// Stores the lanes whose mask bit is set; memory under the others is not touched.
inline void mask_storeu_ps(void* p, simde__mmask16 k, simde__m512 a) {
  float in[16];
  to_lanes(a, in);
  auto* out = static_cast<float*>(p);
  for (int i = 0; i < 16; ++i) {
    if ((k >> i) & 1) out[i] = in[i];
  }
}

inline float flush_denormal(float v) {
  return std::fpclassify(v) == FP_SUBNORMAL ? std::copysign(0.0f, v) : v;
}

// VCVTNEPS2BF16: each float to bf16, rounding to nearest even, NaN kept NaN (made quiet), and
// denormal inputs taken as zero (the instruction ignores MXCSR and treats them so).
inline simde__m256bh cvtneps_pbh(simde__m512 a) {
  uint32_t in[16];
  uint16_t out[16];
  to_lanes(a, in);
  for (int i = 0; i < 16; ++i) {
    uint32_t bits = in[i];
    const bool nan = (bits & 0x7F800000u) == 0x7F800000u && (bits & 0x007FFFFFu) != 0;
    if (nan) {
      out[i] = static_cast<uint16_t>((bits >> 16) | 0x0040u);
      continue;
    }
    if ((bits & 0x7F800000u) == 0) bits &= 0x80000000u;  // denormal (or zero): signed zero
    bits += 0x7FFFu + ((bits >> 16) & 1u);
    out[i] = static_cast<uint16_t>(bits >> 16);
  }
  return from_lanes<simde__m256bh>(out);
}

inline float bf16_to_float(uint16_t bits) {
  float v;
  const uint32_t wide = static_cast<uint32_t>(bits) << 16;
  std::memcpy(&v, &wide, sizeof v);
  return flush_denormal(v);
}

// VDPBF16PS: each fp32 lane plus the odd pair's product, then plus the even pair's, each sum
// rounded, denormal inputs and results taken as zero.
inline simde__m512 dpbf16_ps(simde__m512 src, simde__m512bh a, simde__m512bh b) {
  float acc[16];
  uint16_t x[32], y[32];
  to_lanes(src, acc);
  to_lanes(a, x);
  to_lanes(b, y);
  for (int i = 0; i < 16; ++i) {
    float sum = flush_denormal(acc[i]);
    sum = flush_denormal(sum + bf16_to_float(x[2 * i + 1]) * bf16_to_float(y[2 * i + 1]));
    sum = flush_denormal(sum + bf16_to_float(x[2 * i]) * bf16_to_float(y[2 * i]));
    acc[i] = sum;
  }
  return from_lanes<simde__m512>(acc);
}

// VFMADD*PS / VFNMADD*PS: sign * a * b + c, rounded once.
inline simde__m512 fmadd_ps(simde__m512 a, simde__m512 b, simde__m512 c, float sign) {
  float x[16], y[16], z[16];
  to_lanes(a, x);
  to_lanes(b, y);
  to_lanes(c, z);
  for (int i = 0; i < 16; ++i) z[i] = std::fma(sign * x[i], y[i], z[i]);
  return from_lanes<simde__m512>(z);
}

}  // namespace csm_emulated_avx512

#undef _mm512_cvtepi32_epi64
#define _mm512_cvtepi32_epi64(a) csm_emulated_avx512::cvtepi32_epi64(a)
#undef _mm512_cvtepu16_epi32
#define _mm512_cvtepu16_epi32(a) csm_emulated_avx512::cvtepu16_epi32(a)
#undef _mm512_reduce_add_epi64
#define _mm512_reduce_add_epi64(a) csm_emulated_avx512::reduce_add_epi64(a)
#undef _mm512_reduce_add_ps
#define _mm512_reduce_add_ps(a) csm_emulated_avx512::reduce_add_ps(a)
#undef _mm512_permute_ps
#define _mm512_permute_ps(a, imm) csm_emulated_avx512::permute_ps(a, imm)
#undef _mm512_maskz_loadu_ps
#define _mm512_maskz_loadu_ps(k, p) csm_emulated_avx512::maskz_loadu_ps(k, p)
#undef _mm512_mask_storeu_ps
#define _mm512_mask_storeu_ps(p, k, a) csm_emulated_avx512::mask_storeu_ps(p, k, a)
#undef _mm512_cvtneps_pbh
#define _mm512_cvtneps_pbh(a) csm_emulated_avx512::cvtneps_pbh(a)
#undef _mm512_dpbf16_ps
#define _mm512_dpbf16_ps(src, a, b) csm_emulated_avx512::dpbf16_ps(src, a, b)
#undef _mm512_fmadd_ps
#define _mm512_fmadd_ps(a, b, c) csm_emulated_avx512::fmadd_ps(a, b, c, 1.0f)
#undef _mm512_fnmadd_ps
#define _mm512_fnmadd_ps(a, b, c) csm_emulated_avx512::fmadd_ps(a, b, c, -1.0f)
