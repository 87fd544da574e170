#include "common/cpu/gemm.h"

#include <ATen/Parallel.h>
#include <immintrin.h>
#include <torch/torch.h>

#include <array>
#include <utility>

#include "common/cpu/features.h"

namespace csm::cpu {
namespace {

constexpr int64_t kMaxRowsX = 8;  // rows of x per pass (accumulators stay in registers)
constexpr int64_t kMinBytesPerThread = 512 << 10;  // weight bytes (x passes) per thread
constexpr int64_t kRowBlock = 48;  // rows of w per task; 48 x 8192 x 2 B = 768 KiB (L2);
                                   // a multiple of every R below

#define CSM_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

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

// Software prefetch distance in elements of w. Short rows (K <= 2048) are read R at a time,
// only a few KiB per stream, too short for the hardware prefetcher to ramp up: fetch the same
// offsets of the next group of R rows. Long rows stream well; fetch 512 bytes ahead in the row.
// Measured on the 2-core AVX512-BF16 machine: batch-1 GEMV from 18 to 28 GB/s on [16384 x 1024].
template <class T, int R>
int64_t prefetch_distance(int64_t K) {
  return K <= 2048 ? R * K : 512 / static_cast<int64_t>(sizeof(T));
}

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

template <class E>
void gemm_rows(const typename E::T* x, const typename E::T* w, typename E::Out* out, int64_t T,
               int64_t K, int64_t N) {
  // Split over threads only when each share is worth waking a thread for (tens of us with
  // OMP_WAIT_POLICY=PASSIVE): the small demo model's matrices run on the calling thread.
  const int64_t passes = (T + kMaxRowsX - 1) / kMaxRowsX;
  const int64_t block_work = kRowBlock * K * static_cast<int64_t>(sizeof(typename E::T)) * passes;
  const int64_t grain = std::max<int64_t>(1, kMinBytesPerThread / block_work);
  at::parallel_for(0, (N + kRowBlock - 1) / kRowBlock, grain, [&](int64_t b0, int64_t b1) {
    const int64_t n0 = b0 * kRowBlock, n1 = std::min(N, b1 * kRowBlock);
    // Per row block, every group of x rows: the block is read from memory once.
    for (int64_t nb = n0; nb < n1; nb += kRowBlock) {
      const int64_t ne = std::min(n1, nb + kRowBlock);
      for (int64_t t0 = 0; t0 < T; t0 += kMaxRowsX) {
        dispatch<E>(std::min(kMaxRowsX, T - t0), x + t0 * K, w, out + t0 * N, K, N, nb, ne);
      }
    }
  });
}

}  // namespace

bool gemm_applicable(const at::Tensor& x, const at::Tensor& w) {
  return x.device().is_cpu() && w.device().is_cpu() && x.dim() == 2 && w.dim() == 2 &&
         x.size(1) == w.size(1) && x.size(1) % 32 == 0 && w.is_contiguous() &&
         x.scalar_type() == w.scalar_type() && kernels_support(x.scalar_type());
}

at::Tensor gemm(const at::Tensor& x_in, const at::Tensor& w) {
  const at::Tensor x = x_in.contiguous();
  const int64_t T = x.size(0), K = x.size(1), N = w.size(0);
  at::Tensor out = torch::empty({T, N}, x.options());
  if (x.scalar_type() == at::kFloat) {
    gemm_rows<F32>(x.data_ptr<float>(), w.data_ptr<float>(), out.data_ptr<float>(), T, K, N);
    return out;
  }
  gemm_rows<Bf16>(reinterpret_cast<const uint16_t*>(x.data_ptr<at::BFloat16>()),
                  reinterpret_cast<const uint16_t*>(w.data_ptr<at::BFloat16>()),
                  out.data_ptr<at::BFloat16>(), T, K, N);
  return out;
}

}  // namespace csm::cpu
