// The GEMV/GEMM kernels (AVX512 and AVX2, bf16, fp32 and int8 weights) against LibTorch's
// matmul, gemm_int8's operand checks, and the OpenMP wiring the kernels need.
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>
#include "support/catch.h"

#include "common/cpu/features.h"
#include "common/cpu/gemm.h"
#include "common/cpu/gemm_kernels.h"
#include "support/skip.h"

using namespace csm::cpu;

namespace {

// 173 rows: three 48-row blocks plus a tail that no register-block size divides; every x-row
// count 1..9 picks another register blocking, 13 and 24 take several passes.
const std::vector<int64_t> kRowsX = {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 24};

using Gemm = at::Tensor (*)(const at::Tensor&, const at::Tensor&);

void check_bf16_gemm(Gemm fn) {
  const at::Tensor w = torch::randn({173, 256}).to(torch::kBFloat16);
  for (int64_t T : kRowsX) {
    INFO(T);
    const at::Tensor x = torch::randn({T, 256}).to(torch::kBFloat16);
    const at::Tensor want = torch::matmul(x.to(torch::kFloat), w.to(torch::kFloat).t());
    const at::Tensor got = fn(x, w);
    CHECK(got.scalar_type() == torch::kBFloat16);
    // One bf16 rounding of the fp32 sum: relative 2^-8.
    CHECK(torch::allclose(got.to(torch::kFloat), want, 8e-3, 1e-2));
  }
}

}  // namespace

TEST_CASE("bf16 kernel matches an fp32 matmul of the same bf16 values", "[common][cpu][gemm]") {
  // Whichever kernel gemm() picks here: AVX512-BF16, else AVX2.
  if (!gemm_applicable(torch::zeros({1, 256}, torch::kBFloat16),
                       torch::zeros({173, 256}, torch::kBFloat16))) {
    CSM_SKIP("CPU without AVX512-BF16 or AVX2: kernel not exercised");
  }
  check_bf16_gemm(&gemm);
}

TEST_CASE("AVX2 bf16 kernel matches an fp32 matmul of the same bf16 values",
          "[common][cpu][gemm]") {
  // Called directly, so AVX512-BF16 machines (where gemm() takes the other kernel) check it too.
  if (!has_avx2()) {
    CSM_SKIP("CPU without AVX2 and FMA: kernel not exercised");
  }
  check_bf16_gemm(&csm::cpu::detail::gemm_bf16_avx2);
}

// The int8 kernels this CPU has (each is checked here whichever gemm_int8() picks), by name.
std::vector<std::pair<csm::cpu::detail::Int8Kernel, const char*>> int8_kernels() {
  using csm::cpu::detail::Int8Kernel;
  std::vector<std::pair<Int8Kernel, const char*>> kernels;
  if (has_avx2()) kernels.emplace_back(Int8Kernel::avx2, "avx2");
  if (has_avx512_vnni()) kernels.emplace_back(Int8Kernel::avx512_vnni, "avx512_vnni");
  return kernels;
}

TEST_CASE("int8 kernels match an fp32 matmul of the dequantized weights", "[common][cpu][gemm]") {
  if (int8_kernels().empty()) CSM_SKIP("CPU without AVX2 and FMA: no int8 kernel exercised");
  // K = 256 reads rows R at a time with the next group prefetched; K = 8192 (40 rows: no full
  // 48-row block) takes the long-row prefetch and two blocks along K. Values include -128,
  // which quantize_int8 never writes but the kernel's sign handling must take.
  for (const auto& [N, K] : std::vector<std::pair<int64_t, int64_t>>{{173, 256}, {40, 8192}}) {
    const at::Tensor w = torch::randint(-128, 128, {N, K}).to(torch::kChar);
    const at::Tensor scales = torch::rand({N}) * 0.02 + 0.001;
    const at::Tensor dequantized = w.to(torch::kFloat) * scales.unsqueeze(1);
    for (const auto& [kernel, name] : int8_kernels()) {
      for (const auto dtype : {torch::kFloat, torch::kBFloat16}) {
        for (int64_t T : kRowsX) {
          INFO(name << ", K " << K << ", dtype " << dtype << ", T " << T);
          const at::Tensor x = torch::randn({T, K}).to(dtype);
          REQUIRE(gemm_int8_applicable(x, w, scales));
          const at::Tensor want =
              torch::matmul(x.to(torch::kDouble), dequantized.to(torch::kDouble).t());
          const at::Tensor got = csm::cpu::detail::gemm_int8_on(kernel, x, w, scales);
          CHECK(got.scalar_type() == dtype);
          CHECK(got.sizes() == want.sizes());
          // x's rows are quantized to int16 (each element off by at most max|x_row| / 65534),
          // the integer sums are exact, then two fp32 roundings: |error| <= scales[n] *
          // Σ_k |w[n][k]| * max|x_t| / 65534 (x 1.01 for the roundings); bf16 output adds one
          // rounding, relative 2^-8.
          const at::Tensor row_max = x.to(torch::kDouble).abs().amax(1, true);  // [T, 1]
          const at::Tensor w_abs = (w.to(torch::kDouble).abs().sum(1) * scales.to(torch::kDouble));
          at::Tensor bound = row_max * w_abs.unsqueeze(0) / 65534 * 1.01 + 1e-6;
          if (dtype == torch::kBFloat16) bound = bound + want.abs() * (1.0 / 256);
          CHECK(((got.to(torch::kDouble) - want).abs() <= bound).all().item<bool>());
        }
      }
    }
  }
}

TEST_CASE("int8 kernels sum without overflow at the extremes", "[common][cpu][gemm]") {
  if (int8_kernels().empty()) CSM_SKIP("CPU without AVX2 and FMA: no int8 kernel exercised");
  // Every product at its largest (-128 x -32767 after x's quantization) over K = 8192: the int32
  // lanes would overflow without the kernel's blocks along K.
  const int64_t K = 8192;
  const at::Tensor w = torch::full({7, K}, -128, torch::kChar);
  const at::Tensor scales = torch::ones({7});
  const at::Tensor x = torch::full({2, K}, -1.0f);
  for (const auto& [kernel, name] : int8_kernels()) {
    INFO(name);
    const at::Tensor got = csm::cpu::detail::gemm_int8_on(kernel, x, w, scales);
    CHECK(torch::allclose(got, torch::full({2, 7}, 128.0f * K), 1e-6, 0));
  }
}

TEST_CASE("gemm_int8 takes the widest int8 kernel the CPU has", "[common][cpu][gemm]") {
  if (int8_kernels().empty()) CSM_SKIP("CPU without AVX2 and FMA: no int8 kernel exercised");
  const at::Tensor x = torch::randn({3, 512});
  const at::Tensor w = torch::randint(-127, 128, {50, 512}).to(torch::kChar);
  const at::Tensor scales = torch::rand({50});
  // Each kernel sums exactly in integers, so the one gemm_int8 ran gives the same bits.
  CHECK(torch::equal(gemm_int8(x, w, scales),
                     csm::cpu::detail::gemm_int8_on(int8_kernels().back().first, x, w, scales)));
}

TEST_CASE("AVX512-VNNI int8 kernel", "[common][cpu][gemm]") {
  // Reported skipped where the CPU lacks it, so a run says which kernels it did not check.
  if (!has_avx512_vnni()) {
    const at::Tensor x = torch::randn({1, 64});
    const at::Tensor w = torch::ones({2, 64}, torch::kChar);
    CHECK_THROWS_WITH(csm::cpu::detail::gemm_int8_on(csm::cpu::detail::Int8Kernel::avx512_vnni,
                                                     x, w, torch::ones({2})),
                      Catch::Contains("no AVX512-VNNI"));
    CSM_SKIP("CPU without AVX512-VNNI: kernel not exercised");
  }
  CHECK(int8_kernels().back().second == std::string("avx512_vnni"));
}

TEST_CASE("gemm_int8 refuses operands it has no kernel for", "[common][cpu][gemm]") {
  const at::Tensor x = torch::randn({2, 64});
  const at::Tensor w = torch::randint(-127, 128, {5, 64}).to(torch::kChar);
  const at::Tensor scales = torch::rand({5});
  // The valid operands are taken wherever the kernel runs, so each refusal below is the
  // check it names.
  CHECK(gemm_int8_applicable(x, w, scales) == has_avx2());
  CHECK(gemm_int8_applicable(x.to(torch::kBFloat16), w, scales) == has_avx2());
  CHECK_FALSE(gemm_int8_applicable(x, w.to(torch::kBFloat16), scales));
  CHECK_FALSE(gemm_int8_applicable(x, w.to(torch::kShort), scales));
  CHECK_FALSE(gemm_int8_applicable(torch::randn({2, 48}),
                                   torch::randint(-127, 128, {5, 48}).to(torch::kChar), scales));
  CHECK_FALSE(gemm_int8_applicable(x, w, torch::rand({6})));
  CHECK_FALSE(gemm_int8_applicable(x, w, scales.to(torch::kDouble)));
  CHECK_FALSE(gemm_int8_applicable(x, w, scales.to(torch::kBFloat16)));
  const at::Tensor w_t = torch::randint(-127, 128, {64, 5}).to(torch::kChar).t();
  CHECK_FALSE(gemm_int8_applicable(x, w_t, scales));
  CHECK_FALSE(gemm_int8_applicable(x.to(torch::kDouble), w, scales));
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
