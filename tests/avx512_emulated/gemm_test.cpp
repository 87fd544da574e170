// common/cpu's AVX512 kernels (bf16 dot products, fp32 FMA, int8 on VNNI), compiled from their
// own sources on SIMDe's portable intrinsics (tests.cmake), against LibTorch's matmul and the
// AVX2 int8 kernel. This binary's detail::avx512_rows (which support/avx512_gemm.h calls) are
// the emulated ones, so these cases run on any x86-64 CPU: the kernels' code (register
// blocking, tails, blocks along K, lane reductions, operand order) is checked where the real
// instructions are absent. On an AVX512 CPU the common tests run the same code on the real
// instructions.
#include <torch/torch.h>

#include <utility>
#include <vector>
#include "support/catch.h"

#include "common/cpu/features.h"
#include "common/cpu/gemm_kernels.h"
#include "support/avx512_gemm.h"
#include "support/skip.h"

namespace kernels = csm::cpu::detail;
using csm::cpu::has_avx2;
using csm::test::avx512_gemm;
using csm::test::avx512_gemm_int8;

namespace {

// As in the common tests: 173 rows are three 48-row blocks plus a tail that no register block
// divides; 1..9 rows of x pick every register blocking, 13 and 24 take several passes.
const std::vector<int64_t> kRowsX = {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 24};

}  // namespace

TEST_CASE("emulated AVX512-BF16 kernel matches an fp32 matmul of the same bf16 values",
          "[avx512_emulated]") {
  // K = 256: short rows, the next group of rows prefetched; K = 4096: long rows.
  for (const auto& [N, K] : std::vector<std::pair<int64_t, int64_t>>{{173, 256}, {40, 4096}}) {
    const at::Tensor w = torch::randn({N, K}).to(torch::kBFloat16);
    for (int64_t T : kRowsX) {
      INFO("K " << K << ", T " << T);
      const at::Tensor x = torch::randn({T, K}).to(torch::kBFloat16);
      const at::Tensor want = torch::matmul(x.to(torch::kFloat), w.to(torch::kFloat).t());
      const at::Tensor got = avx512_gemm(x, w);
      CHECK(got.scalar_type() == torch::kBFloat16);
      // One bf16 rounding of the fp32 sum (relative 2^-8) after sums in another order.
      const double atol = K == 256 ? 1e-2 : 4e-2;
      CHECK(torch::allclose(got.to(torch::kFloat), want, 8e-3, atol));
    }
  }
}

TEST_CASE("emulated AVX512-BF16 kernel pairs each weight with its own x element",
          "[avx512_emulated]") {
  // A one-hot x picks one column of w: any mix-up of the bf16 pairs inside a 32-bit lane, of
  // the lanes or of the steps along K gives another column's values.
  const int64_t N = 11, K = 96;
  const at::Tensor w = torch::randn({N, K}).to(torch::kBFloat16);
  for (int64_t k : {0, 1, 2, 31, 32, 33, 63, 95}) {
    INFO("k " << k);
    at::Tensor x = torch::zeros({1, K}, torch::kBFloat16);
    x[0][k] = 1.0;
    CHECK(torch::equal(avx512_gemm(x, w), w.index({torch::indexing::Slice(), k}).view({1, N})));
  }
}

TEST_CASE("emulated AVX512F fp32 kernel matches at::matmul", "[avx512_emulated]") {
  for (const auto& [N, K] : std::vector<std::pair<int64_t, int64_t>>{{101, 512}, {40, 4096}}) {
    const at::Tensor w = torch::randn({N, K});
    for (int64_t T : kRowsX) {
      INFO("K " << K << ", T " << T);
      const at::Tensor x = torch::randn({T, K});
      const at::Tensor got = avx512_gemm(x, w);
      // Sums of K products of O(1) values in another order.
      const double atol = K == 512 ? 1e-4 : 5e-4;
      CHECK(torch::allclose(got, torch::matmul(x, w.t()), 1e-5, atol));
    }
  }
}

TEST_CASE("emulated AVX512-VNNI int8 kernel gives the AVX2 int8 kernel's bits",
          "[avx512_emulated]") {
  if (!has_avx2()) CSM_SKIP("CPU without AVX2 and FMA: no int8 kernel to compare with");
  // Both sum exactly in integers and scale the same way, so the outputs are equal. K = 8192
  // (40 rows: no full 48-row block) takes the long-row prefetch and two blocks along K; -128 is
  // among the weights.
  for (const auto& [N, K] : std::vector<std::pair<int64_t, int64_t>>{{173, 256}, {40, 8192}}) {
    const at::Tensor w = torch::randint(-128, 128, {N, K}).to(torch::kChar);
    const at::Tensor scales = torch::rand({N}) * 0.02 + 0.001;
    for (const auto dtype : {torch::kFloat, torch::kBFloat16}) {
      for (int64_t T : kRowsX) {
        INFO("K " << K << ", dtype " << dtype << ", T " << T);
        const at::Tensor x = torch::randn({T, K}).to(dtype);
        const at::Tensor want = kernels::gemm_int8_on(kernels::Int8Kernel::avx2, x, w, scales);
        const at::Tensor got = avx512_gemm_int8(x, w, scales);
        CHECK(got.scalar_type() == dtype);
        CHECK(torch::equal(got, want));
      }
    }
  }
}

TEST_CASE("emulated AVX512-VNNI int8 kernel sums without overflow at the extremes",
          "[avx512_emulated]") {
  if (!has_avx2()) CSM_SKIP("CPU without AVX2 and FMA: x is prepared by the AVX2 code");
  // Every product at its largest (-128 x -32767 after x's quantization) over K = 8192: the
  // int32 lanes would overflow without the blocks along K.
  const int64_t K = 8192;
  const at::Tensor w = torch::full({7, K}, -128, torch::kChar);
  const at::Tensor got = avx512_gemm_int8(torch::full({2, K}, -1.0f), w, torch::ones({7}));
  CHECK(torch::allclose(got, torch::full({2, 7}, 128.0f * K), 1e-6, 0));
}
