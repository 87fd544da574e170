// Internal to common/cpu's gemm: the per-ISA row-range kernels that gemm.cpp's entry points
// (gemm, gemm_int8) split over threads, and the blocking constants they share. Each kernel
// computes out[t][n] for t < tb <= kMaxRowsX and n in [n0, n1), with x [tb, K] (row stride K),
// w [N, K] contiguous and out [tb, N] (row stride N), accumulating in fp32 registers and
// rounding once per output. Only common/cpu's gemm sources and the tests include this header.
#pragma once

#include <ATen/Tensor.h>
#include <c10/util/BFloat16.h>

#include <cstdint>

namespace csm::cpu::detail {

constexpr int64_t kMaxRowsX = 8;   // rows of x per pass (accumulators stay in registers)
constexpr int64_t kRowBlock = 48;  // rows of w per task; 48 x 8192 x 2 B = 768 KiB (L2);
                                   // a multiple of every register block R of both ISAs

// Software prefetch distance in elements of w. Short rows (K <= 2048) are read R at a time,
// only a few KiB per stream, too short for the hardware prefetcher to ramp up: fetch the same
// offsets of the next group of R rows. Long rows stream well; fetch 512 bytes ahead in the row.
// Measured on the 2-core AVX512-BF16 machine: batch-1 GEMV from 18 to 28 GB/s on [16384 x 1024].
template <class T, int R>
int64_t prefetch_distance(int64_t K) {
  return K <= 2048 ? R * K : 512 / static_cast<int64_t>(sizeof(T));
}

// gemm_avx512.cpp (AVX512-BF16 dot products; AVX512F FMA). x and w of one dtype.
void avx512_rows(int64_t tb, const uint16_t* x, const uint16_t* w, at::BFloat16* out, int64_t K,
                 int64_t N, int64_t n0, int64_t n1);
void avx512_rows(int64_t tb, const float* x, const float* w, float* out, int64_t K, int64_t N,
                 int64_t n0, int64_t n1);

// gemm_avx2.cpp (AVX2 + FMA). x comes prepared by avx2_x (once per call, [T, K] floats, row
// stride K): for bf16 w, fp32 permuted to the order in which the kernel widens w without
// shuffles; for int8 w (both int8 kernels), each row quantized to int16 (its first 2K bytes)
// with the row's fp32 scale at float index K/2.
at::Tensor avx2_x(const at::Tensor& x, c10::ScalarType w_type);
void avx2_rows(int64_t tb, const float* x, const at::BFloat16* w, at::BFloat16* out, int64_t K,
               int64_t N, int64_t n0, int64_t n1);

// The int8 kernels (int8_kernel.h) on x prepared by avx2_x; `scales` [N] multiply the sums
// (per output row). gemm_int8_avx2.cpp (AVX2) and gemm_int8_avx512.cpp (AVX512-VNNI).
void avx2_rows(int64_t tb, const float* x, const int8_t* w, const float* scales,
               at::BFloat16* out, int64_t K, int64_t N, int64_t n0, int64_t n1);
void avx2_rows(int64_t tb, const float* x, const int8_t* w, const float* scales, float* out,
               int64_t K, int64_t N, int64_t n0, int64_t n1);
void avx512_rows(int64_t tb, const float* x, const int8_t* w, const float* scales,
                 at::BFloat16* out, int64_t K, int64_t N, int64_t n0, int64_t n1);
void avx512_rows(int64_t tb, const float* x, const int8_t* w, const float* scales, float* out,
                 int64_t K, int64_t N, int64_t n0, int64_t n1);

// gemm.cpp: gemm() of bf16 operands on the AVX2 kernel whatever the CPU has (gemm() takes it
// only without AVX512-BF16); the tests call it so the kernel is checked on AVX512 machines too.
// Requires has_avx2() and gemm_applicable(x, w).
at::Tensor gemm_bf16_avx2(const at::Tensor& x, const at::Tensor& w);

// The int8 kernels, and gemm_int8() on the one named, whatever the CPU's widest is: the tests
// check each kernel the CPU has. Requires gemm_int8_applicable(x, w, scales), and
// has_avx512_vnni() for avx512_vnni.
enum class Int8Kernel { avx2, avx512_vnni };
at::Tensor gemm_int8_on(Int8Kernel kernel, const at::Tensor& x, const at::Tensor& w,
                        const at::Tensor& scales);

}  // namespace csm::cpu::detail
