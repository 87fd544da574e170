#include "core/model/bf16_gemm.h"

#include <ATen/Parallel.h>
#include <immintrin.h>
#include <torch/torch.h>

#include "core/model/csm_model.h"

namespace csm::model {
namespace {

constexpr int64_t kMaxRowsX = 8;     // rows of x per pass (accumulators stay in registers)
constexpr int64_t kRowBlock = 16;    // rows of w per task; 16 x 8192 x 2 B = 256 KiB (L2)

// out[t][n] for n in [n0, n1), t in [0, TB): R rows of w at a time, TB rows of x.
template <int TB, int R>
__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16"))) void kernel(
    const uint16_t* x, const uint16_t* w, float* out, int64_t K, int64_t N, int64_t n0,
    int64_t n1) {
  int64_t n = n0;
  for (; n + R <= n1; n += R) {
    __m512 acc[R][TB];
    for (int r = 0; r < R; ++r)
      for (int t = 0; t < TB; ++t) acc[r][t] = _mm512_setzero_ps();
    for (int64_t k = 0; k < K; k += 32) {
      __m512bh xv[TB];
      for (int t = 0; t < TB; ++t) xv[t] = (__m512bh)_mm512_loadu_si512(x + t * K + k);
      for (int r = 0; r < R; ++r) {
        const __m512bh wv = (__m512bh)_mm512_loadu_si512(w + (n + r) * K + k);
        for (int t = 0; t < TB; ++t) acc[r][t] = _mm512_dpbf16_ps(acc[r][t], wv, xv[t]);
      }
    }
    alignas(64) float lanes[16];
    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < TB; ++t) {
        _mm512_store_ps(lanes, acc[r][t]);
        float sum = 0.0f;
        for (float l : lanes) sum += l;
        out[t * N + n + r] = sum;
      }
    }
  }
  if (n < n1) kernel<TB, 1>(x, w, out, K, N, n, n1);
}

template <int TB>
void run_block(const uint16_t* x, const uint16_t* w, float* out, int64_t K, int64_t N,
               int64_t n0, int64_t n1) {
  constexpr int R = TB <= 4 ? 4 : 2;  // R*TB accumulators + TB x vectors + 1 stay in 32 zmm
  kernel<TB, R>(x, w, out, K, N, n0, n1);
}

void dispatch(int64_t tb, const uint16_t* x, const uint16_t* w, float* out, int64_t K,
              int64_t N, int64_t n0, int64_t n1) {
  switch (tb) {
    case 1: return run_block<1>(x, w, out, K, N, n0, n1);
    case 2: return run_block<2>(x, w, out, K, N, n0, n1);
    case 3: return run_block<3>(x, w, out, K, N, n0, n1);
    case 4: return run_block<4>(x, w, out, K, N, n0, n1);
    case 5: return run_block<5>(x, w, out, K, N, n0, n1);
    case 6: return run_block<6>(x, w, out, K, N, n0, n1);
    case 7: return run_block<7>(x, w, out, K, N, n0, n1);
    default: return run_block<8>(x, w, out, K, N, n0, n1);
  }
}

}  // namespace

bool bf16_gemm_applicable(const at::Tensor& x, const at::Tensor& w) {
  static const bool cpu_ok = cpu_has_fast_bf16();
  return cpu_ok && x.device().is_cpu() && w.device().is_cpu() &&
         x.scalar_type() == at::kBFloat16 && w.scalar_type() == at::kBFloat16 &&
         x.dim() == 2 && w.dim() == 2 && x.size(1) == w.size(1) && x.size(1) % 32 == 0 &&
         w.is_contiguous();
}

at::Tensor bf16_gemm(const at::Tensor& x_in, const at::Tensor& w) {
  const at::Tensor x = x_in.contiguous();
  const int64_t T = x.size(0), K = x.size(1), N = w.size(0);
  at::Tensor out = torch::empty({T, N}, x.options().dtype(torch::kFloat));
  const auto* xp = reinterpret_cast<const uint16_t*>(x.data_ptr<at::BFloat16>());
  const auto* wp = reinterpret_cast<const uint16_t*>(w.data_ptr<at::BFloat16>());
  float* op = out.data_ptr<float>();
  at::parallel_for(0, (N + kRowBlock - 1) / kRowBlock, 1, [&](int64_t b0, int64_t b1) {
    const int64_t n0 = b0 * kRowBlock, n1 = std::min(N, b1 * kRowBlock);
    // Per row block, every chunk of x rows: the block is read from memory once.
    for (int64_t nb = n0; nb < n1; nb += kRowBlock) {
      const int64_t ne = std::min(n1, nb + kRowBlock);
      for (int64_t t0 = 0; t0 < T; t0 += kMaxRowsX) {
        dispatch(std::min(kMaxRowsX, T - t0), xp + t0 * K, wp, op + t0 * N, K, N, nb, ne);
      }
    }
  });
  return out.to(torch::kBFloat16);
}

}  // namespace csm::model
