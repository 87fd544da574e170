// The AVX512 GEMV/GEMM kernels against LibTorch's matmul, and the OpenMP wiring they need.
#include <torch/torch.h>

#include <vector>
#include "support/catch.h"

#include "common/cpu/gemm.h"
#include "support/skip.h"

using namespace csm::cpu;

TEST_CASE("bf16 kernel matches an fp32 matmul of the same bf16 values", "[common][cpu][gemm]") {
  // 173 rows: three 48-row blocks plus a tail that no register-block size divides; every
  // x-row count 1..9 picks another register blocking, 13 and 24 take several passes.
  const at::Tensor w = torch::randn({173, 256}).to(torch::kBFloat16);
  for (int64_t T : {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 24}) {
    INFO(T);
    const at::Tensor x = torch::randn({T, 256}).to(torch::kBFloat16);
    if (!gemm_applicable(x, w)) {
      CSM_SKIP("CPU without AVX512-BF16: kernel not exercised");
    }
    const at::Tensor want = torch::matmul(x.to(torch::kFloat), w.to(torch::kFloat).t());
    const at::Tensor got = gemm(x, w);
    CHECK(got.scalar_type() == torch::kBFloat16);
    // One bf16 rounding of the fp32 sum: relative 2^-8.
    CHECK(torch::allclose(got.to(torch::kFloat), want, 8e-3, 1e-2));
  }
}

TEST_CASE("fp32 kernel matches at::matmul for decoding shapes", "[common][cpu][gemm]") {
  const at::Tensor w = torch::randn({101, 512});
  for (int64_t T : {1, 2, 3, 4, 5, 6, 7, 8, 21}) {
    INFO(T);
    const at::Tensor x = torch::randn({T, 512});
    if (!gemm_applicable(x, w)) {
      CSM_SKIP("CPU without AVX512: kernel not exercised");
    }
    const at::Tensor got = gemm(x, w);
    CHECK(got.scalar_type() == torch::kFloat);
    // Sums of 512 products of O(1) values in another order: differences of a few 1e-5.
    CHECK(torch::allclose(got, torch::matmul(x, w.t()), 1e-5, 1e-4));
  }
  CHECK_FALSE(gemm_applicable(torch::randn({9, 512}).to(torch::kDouble), w));
  CHECK_FALSE(gemm_applicable(torch::randn({1, 500}), torch::randn({4, 500})));
}

TEST_CASE("at::parallel_for in our code runs on several threads", "[common][cpu][gemm]") {
  // at::parallel_for is inlined into the caller; built without OpenMP it silently runs on one
  // thread (which once halved the decoding speed). The build must give our code OpenMP.
  const int before = at::get_num_threads();
  at::set_num_threads(2);
  std::vector<int> seen(2, 0);
  at::parallel_for(0, 2, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) seen[static_cast<size_t>(i)] = at::get_thread_num();
  });
  at::set_num_threads(before);
  CHECK(seen[0] != seen[1]);
}
