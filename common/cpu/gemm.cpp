// gemm.h's entry points: operand checks, the choice of kernel for this CPU (AVX512 in
// gemm_avx512.cpp and gemm_int8_avx512.cpp, AVX2 in gemm_avx2.cpp and gemm_int8_avx2.cpp) and
// the split of w's rows over threads, which is the same for every kernel.
#include "common/cpu/gemm.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>

#include "common/cpu/features.h"
#include "common/cpu/gemm_kernels.h"

namespace csm::cpu {
namespace {

using detail::kMaxRowsX;
using detail::kRowBlock;

constexpr int64_t kMinBytesPerThread = 512 << 10;  // weight bytes (x passes) per thread

// Calls rows(tb, t0, n0, n1) on every block of kRowBlock rows of w [N, K] of `element_bytes`
// per element, for each group of up to kMaxRowsX rows t0.. of x: per block, every group, so the
// block is read from memory once. Blocks are split over threads.
template <class Rows>
void for_blocks(int64_t T, int64_t K, int64_t N, int64_t element_bytes, const Rows& rows) {
  // Split over threads only when each share is worth waking a thread for (tens of us with
  // OMP_WAIT_POLICY=PASSIVE): the small demo model's matrices run on the calling thread.
  const int64_t passes = (T + kMaxRowsX - 1) / kMaxRowsX;
  const int64_t block_work = kRowBlock * K * element_bytes * passes;
  const int64_t grain = std::max<int64_t>(1, kMinBytesPerThread / block_work);
  at::parallel_for(0, (N + kRowBlock - 1) / kRowBlock, grain, [&](int64_t b0, int64_t b1) {
    const int64_t n0 = b0 * kRowBlock, n1 = std::min(N, b1 * kRowBlock);
    for (int64_t nb = n0; nb < n1; nb += kRowBlock) {
      const int64_t ne = std::min(n1, nb + kRowBlock);
      for (int64_t t0 = 0; t0 < T; t0 += kMaxRowsX) rows(std::min(kMaxRowsX, T - t0), t0, nb, ne);
    }
  });
}

// y = x · wᵀ · diag(scales) on the named int8 kernel, in x's dtype Out.
template <class Out>
at::Tensor int8_gemm(detail::Int8Kernel kernel, const at::Tensor& x, const at::Tensor& w,
                     const at::Tensor& scales) {
  const int64_t T = x.size(0), K = x.size(1), N = w.size(0);
  const at::Tensor xq = detail::avx2_x(x, at::kChar);
  at::Tensor out = torch::empty({T, N}, x.options());
  const float* xp = xq.data_ptr<float>();
  const int8_t* wp = w.data_ptr<int8_t>();
  const float* sp = scales.data_ptr<float>();
  Out* op = out.data_ptr<Out>();
  const bool vnni = kernel == detail::Int8Kernel::avx512_vnni;
  for_blocks(T, K, N, sizeof(int8_t), [&](int64_t tb, int64_t t0, int64_t n0, int64_t n1) {
    if (vnni) {
      detail::avx512_rows(tb, xp + t0 * K, wp, sp, op + t0 * N, K, N, n0, n1);
    } else {
      detail::avx2_rows(tb, xp + t0 * K, wp, sp, op + t0 * N, K, N, n0, n1);
    }
  });
  return out;
}

// y = x · wᵀ on the AVX512 kernel (x and w of the element type E).
template <class E, class Ptr>
at::Tensor avx512_gemm(const at::Tensor& x_in, const at::Tensor& w) {
  const at::Tensor x = x_in.contiguous();
  const int64_t T = x.size(0), K = x.size(1), N = w.size(0);
  at::Tensor out = torch::empty({T, N}, x.options());
  const auto* xp = reinterpret_cast<const Ptr*>(x.data_ptr<E>());
  const auto* wp = reinterpret_cast<const Ptr*>(w.data_ptr<E>());
  E* op = out.data_ptr<E>();
  for_blocks(T, K, N, sizeof(E), [&](int64_t tb, int64_t t0, int64_t n0, int64_t n1) {
    detail::avx512_rows(tb, xp + t0 * K, wp, op + t0 * N, K, N, n0, n1);
  });
  return out;
}

}  // namespace

bool gemm_applicable(const at::Tensor& x, const at::Tensor& w) {
  const at::ScalarType type = x.scalar_type();
  return x.device().is_cpu() && w.device().is_cpu() && x.dim() == 2 && w.dim() == 2 &&
         x.size(1) == w.size(1) && x.size(1) % 32 == 0 && w.is_contiguous() &&
         w.scalar_type() == type &&
         (kernels_support(type) || (type == at::kBFloat16 && has_avx2()));
}

at::Tensor gemm(const at::Tensor& x, const at::Tensor& w) {
  if (x.scalar_type() == at::kFloat) return avx512_gemm<float, float>(x, w);
  if (has_fast_bf16()) return avx512_gemm<at::BFloat16, uint16_t>(x, w);
  return detail::gemm_bf16_avx2(x, w);
}

bool gemm_int8_applicable(const at::Tensor& x, const at::Tensor& w, const at::Tensor& scales) {
  return x.device().is_cpu() && w.device().is_cpu() && scales.device().is_cpu() &&
         x.dim() == 2 && w.dim() == 2 && scales.dim() == 1 && x.size(1) == w.size(1) &&
         x.size(1) % 32 == 0 && scales.size(0) == w.size(0) &&
         (x.scalar_type() == at::kBFloat16 || x.scalar_type() == at::kFloat) &&
         w.scalar_type() == at::kChar && w.is_contiguous() &&
         scales.scalar_type() == at::kFloat && scales.is_contiguous() && has_avx2();
}

at::Tensor gemm_int8(const at::Tensor& x, const at::Tensor& w, const at::Tensor& scales) {
  return detail::gemm_int8_on(
      has_avx512_vnni() ? detail::Int8Kernel::avx512_vnni : detail::Int8Kernel::avx2, x, w,
      scales);
}

namespace detail {

at::Tensor gemm_bf16_avx2(const at::Tensor& x, const at::Tensor& w) {
  const int64_t T = x.size(0), K = x.size(1), N = w.size(0);
  const at::Tensor xf = detail::avx2_x(x, w.scalar_type());
  at::Tensor out = torch::empty({T, N}, x.options());
  const float* xp = xf.data_ptr<float>();
  const at::BFloat16* wp = w.data_ptr<at::BFloat16>();
  at::BFloat16* op = out.data_ptr<at::BFloat16>();
  for_blocks(T, K, N, sizeof(at::BFloat16), [&](int64_t tb, int64_t t0, int64_t n0, int64_t n1) {
    detail::avx2_rows(tb, xp + t0 * K, wp, op + t0 * N, K, N, n0, n1);
  });
  return out;
}

at::Tensor gemm_int8_on(Int8Kernel kernel, const at::Tensor& x, const at::Tensor& w,
                        const at::Tensor& scales) {
  // The VNNI kernel would die of an illegal instruction elsewhere.
  TORCH_CHECK(kernel != Int8Kernel::avx512_vnni || has_avx512_vnni(),
              "gemm_int8_on: this CPU has no AVX512-VNNI");
  if (x.scalar_type() == at::kFloat) return int8_gemm<float>(kernel, x, w, scales);
  return int8_gemm<at::BFloat16>(kernel, x, w, scales);
}

}  // namespace detail
}  // namespace csm::cpu
