// RoPE and sampler properties beyond the golden cases.
#include <torch/torch.h>

#include <catch2/catch.hpp>

#include "core/model/cpu_gemm.h"
#include "core/model/csm_model.h"
#include "core/model/rope.h"
#include "core/model/sampler.h"

using namespace csm::model;

TEST_CASE("rope rotates interleaved pairs and keeps norms", "[core][model][rope]") {
  const RopeTable t = rope_table(8, 64, RopeConfig{});
  const at::Tensor x = torch::randn({3, 2, 8});
  const at::Tensor pos = torch::tensor({0, 5, 63}, torch::kLong);
  const at::Tensor y = apply_rope(x, t.cos.index_select(0, pos), t.sin.index_select(0, pos));
  CHECK(torch::allclose(y[0], x[0]));  // position 0 is the identity
  const at::Tensor pair_norm_x = x.view({3, 2, 4, 2}).pow(2).sum(-1);
  const at::Tensor pair_norm_y = y.view({3, 2, 4, 2}).pow(2).sum(-1);
  CHECK(torch::allclose(pair_norm_x, pair_norm_y, 1e-5, 1e-6));
}

TEST_CASE("top-k keeps ties and top_k = 1 is greedy", "[core][model][sampler]") {
  const at::Tensor logits =
      torch::tensor({{1.0f, 3.0f, 2.0f, 2.0f, -1.0f}, {0.5f, 0.1f, 0.2f, 0.9f, 0.3f}});
  const at::Tensor probs =
      topk_probs(logits, torch::tensor({1.0f, 0.5f}), torch::tensor({2, 1}, torch::kLong), 2);
  CHECK((probs[0] > 0).sum().item<int64_t>() == 3);  // 3.0 and the two tied 2.0
  CHECK((probs[1] > 0).sum().item<int64_t>() == 1);
  CHECK(probs.sum(1).allclose(torch::ones({2})));
  std::vector<at::Generator> gens = {make_generator(torch::kCPU, 1),
                                     make_generator(torch::kCPU, 2)};
  const at::Tensor noise = exponential_noise(5, gens, torch::TensorOptions());
  CHECK((noise > 0).all().item<bool>());
  const at::Tensor s = sample_with_noise(probs, noise);
  CHECK(s[1].item<int64_t>() == 3);
  CHECK(probs[0][s[0].item<int64_t>()].item<float>() > 0);
}

TEST_CASE("per-session generators are reproducible and independent", "[core][model][sampler]") {
  std::vector<at::Generator> a = {make_generator(torch::kCPU, 5)};
  std::vector<at::Generator> b = {make_generator(torch::kCPU, 6), make_generator(torch::kCPU, 5)};
  const at::Tensor na = exponential_noise(100, a, torch::TensorOptions());
  const at::Tensor nb = exponential_noise(100, b, torch::TensorOptions());
  CHECK(torch::equal(na[0], nb[1]));
  CHECK_FALSE(torch::equal(nb[0], nb[1]));
}

TEST_CASE("bf16 kernel matches an fp32 matmul of the same bf16 values", "[core][model][gemm]") {
  // 173 rows: three 48-row blocks plus a tail that no register-block size divides; every
  // x-row count 1..9 picks another register blocking, 13 and 24 take several passes.
  const at::Tensor w = torch::randn({173, 256}).to(torch::kBFloat16);
  for (int64_t T : {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 24}) {
    INFO(T);
    const at::Tensor x = torch::randn({T, 256}).to(torch::kBFloat16);
    if (!cpu_gemm_applicable(x, w)) {
      WARN("CPU without AVX512-BF16: kernel not exercised");
      return;
    }
    const at::Tensor want = torch::matmul(x.to(torch::kFloat), w.to(torch::kFloat).t());
    const at::Tensor got = cpu_gemm(x, w);
    CHECK(got.scalar_type() == torch::kBFloat16);
    // One bf16 rounding of the fp32 sum: relative 2^-8.
    CHECK(torch::allclose(got.to(torch::kFloat), want, 8e-3, 1e-2));
  }
}

TEST_CASE("fp32 kernel matches at::matmul for decoding shapes", "[core][model][gemm]") {
  const at::Tensor w = torch::randn({101, 512});
  for (int64_t T : {1, 2, 3, 4, 5, 6, 7, 8, 21}) {
    INFO(T);
    const at::Tensor x = torch::randn({T, 512});
    if (!cpu_gemm_applicable(x, w)) {
      WARN("CPU without AVX512: kernel not exercised");
      return;
    }
    const at::Tensor got = cpu_gemm(x, w);
    CHECK(got.scalar_type() == torch::kFloat);
    // Sums of 512 products of O(1) values in another order: differences of a few 1e-5.
    CHECK(torch::allclose(got, torch::matmul(x, w.t()), 1e-5, 1e-4));
  }
  CHECK_FALSE(cpu_gemm_applicable(torch::randn({9, 512}).to(torch::kDouble), w));
  CHECK_FALSE(cpu_gemm_applicable(torch::randn({1, 500}), torch::randn({4, 500})));
}

TEST_CASE("at::parallel_for in our code runs on several threads", "[core][model][gemm]") {
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
