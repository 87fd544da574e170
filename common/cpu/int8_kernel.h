// Internal to common/cpu's gemm: gemm_int8's row-range kernel, written once against an integer
// vector type I and compiled once per instruction set, by gemm_avx2.cpp (AVX2: vpmaddwd +
// vpaddd) and gemm_int8_avx512.cpp (AVX512-VNNI: vpdpwssd). Each includes this file inside a
// `#pragma GCC target` region (headers it needs come first, outside the region), so the kernel
// is compiled for that set only; each I is in an anonymous namespace (no shared instantiation).
//
// I: Reg; kLanes (int16 lanes per register: 16 or 32); rows_per_block(tb) (R, the rows of w per
// register block for tb rows of x: R * tb accumulators + R weights + 1 x vector fit in the
// registers; a divisor of kRowBlock); zero(); widen(p) (kLanes int8 at p, sign-extended to
// int16); load(p) (kLanes int16); dot_add(acc, w, x) (acc + w[2i] x[2i] + w[2i+1] x[2i+1] in
// each int32 lane i, wrapping: the blocks along K below keep it exact); sum_i64(acc) (all int32
// lanes summed in int64).
//
// x comes prepared by avx2_x (gemm_avx2.cpp, once per call): each row quantized to int16 in its
// first 2K bytes with the row's fp32 scale at float index K/2.
//
// Why integer dot products: widening int8 weights to fp32 (shift, mask, convert) made the AVX2
// kernel CPU-bound at ~8 weights/ns per core on Zen 1, below the bf16 kernel's 11.7, so int8
// did not beat bf16 there. Sign-extending them to int16 (vpmovsxbw) and multiplying pairs into
// int32 lanes against the int16 x gives exact sums at ~14 weights/ns per core, 1.5-1.8x bf16
// from DRAM at one x row. AVX512-VNNI's vpdpwssd does the multiply and the add in one
// instruction on 32 lanes.
#pragma once

#include <xmmintrin.h>

#include <algorithm>
#include <cstdint>

#include "common/cpu/gemm_kernels.h"

namespace csm::cpu::detail::int8 {

// Each K step is 32 elements (kLanes at a time); int32 lanes are reduced every kKBlock elements.
// |dot_add term| <= 2 * 128 * 32767 = 8388352; 256 of them fit in an int32; with 16-lane
// registers each step of 32 adds 2 terms to a lane (32-lane: 1): 4096 elements of K per block.
constexpr int64_t kStep = 32;
constexpr int64_t kKBlock = 4096;

// out[t][n] = scales[n] * sx[t] * Σ_k xq[t][k] w[n][k] for n in [n0, n1), t < TB: R rows of w
// at a time, TB rows of x (xq: int16 row t at xbuf + t * K floats, sx at float K/2 of the row).
template <class I, class Out, int TB, int R>
void rows_kernel(const float* xbuf, const int8_t* w, const float* scales, Out* out, int64_t K,
                 int64_t N, int64_t n0, int64_t n1) {
  using Reg = typename I::Reg;
  // Short rows: two groups of R rows ahead (+5-14 % at one x row from DRAM on Zen 1).
  const int64_t ahead = K <= 2048 ? 2 * R * K : 512;
  const int16_t* x = reinterpret_cast<const int16_t*>(xbuf);
  const int64_t xs = 2 * K;  // row stride of x in int16
  float sx[TB];
  for (int t = 0; t < TB; ++t) sx[t] = xbuf[t * K + K / 2];
  int64_t n = n0;
  for (; n + R <= n1; n += R) {
    const int8_t* wn = w + n * K;
    int64_t sum[R][TB] = {};
    for (int64_t kb = 0; kb < K; kb += kKBlock) {
      const int64_t ke = std::min(K, kb + kKBlock);
      Reg acc[R][TB];
      for (int r = 0; r < R; ++r)
        for (int t = 0; t < TB; ++t) acc[r][t] = I::zero();
      for (int64_t k = kb; k < ke; k += kStep) {
        if (k % 64 == 0) {  // one prefetch per 64-byte line of each row
          for (int r = 0; r < R; ++r)
            _mm_prefetch(reinterpret_cast<const char*>(wn + r * K + k + ahead), _MM_HINT_T0);
        }
        for (int64_t h = 0; h < kStep; h += I::kLanes) {
          Reg wv[R];
          for (int r = 0; r < R; ++r) wv[r] = I::widen(wn + r * K + k + h);
          for (int t = 0; t < TB; ++t) {
            const Reg xv = I::load(x + t * xs + k + h);
            for (int r = 0; r < R; ++r) acc[r][t] = I::dot_add(acc[r][t], wv[r], xv);
          }
        }
      }
      for (int r = 0; r < R; ++r)
        for (int t = 0; t < TB; ++t) sum[r][t] += I::sum_i64(acc[r][t]);
    }
    for (int r = 0; r < R; ++r)
      for (int t = 0; t < TB; ++t)
        out[t * N + n + r] = Out(static_cast<float>(sum[r][t]) * (sx[t] * scales[n + r]));
  }
  if (n < n1) rows_kernel<I, Out, TB, 1>(xbuf, w, scales, out, K, N, n, n1);
}

// rows_kernel<I, Out, tb, R(tb)> for a run-time tb in 1..kMaxRowsX.
template <class I, class Out, int TB = 1>
void run_rows(int64_t tb, const float* x, const int8_t* w, const float* scales, Out* out,
              int64_t K, int64_t N, int64_t n0, int64_t n1) {
  if constexpr (TB < kMaxRowsX) {
    if (tb > TB) return run_rows<I, Out, TB + 1>(tb, x, w, scales, out, K, N, n0, n1);
  }
  constexpr int R = I::rows_per_block(TB);
  static_assert(R >= 1 && kRowBlock % R == 0);
  rows_kernel<I, Out, TB, R>(x, w, scales, out, K, N, n0, n1);
}

}  // namespace csm::cpu::detail::int8
