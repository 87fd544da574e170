// The fused attention of every kernel set this CPU has (decode steps and prompt chunks)
// against the matmul/softmax formula (spec 2.3), on KV-cache slices as the transformer passes
// them.
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include "support/catch.h"

#include "core/model/cpu_attention.h"
#include "core/model/kernel_sets.h"
#include "support/skip.h"

using namespace csm::model;
using csm::test::kernel_sets;

namespace {

// q [B, n, H, hd], keys/values [B, KV, L, hd] -> [B * n, H * hd], all in fp32.
at::Tensor reference_attention(const at::Tensor& q, const at::Tensor& keys,
                               const at::Tensor& values, int64_t start) {
  const int64_t B = q.size(0), n = q.size(1), H = q.size(2), hd = q.size(3), KV = keys.size(1),
                L = keys.size(2);
  const at::Tensor k = keys.to(torch::kFloat).repeat_interleave(H / KV, 1);  // [B, H, L, hd]
  const at::Tensor v = values.to(torch::kFloat).repeat_interleave(H / KV, 1);
  const at::Tensor qh = q.to(torch::kFloat).permute({0, 2, 1, 3});  // [B, H, n, hd]
  at::Tensor scores = torch::matmul(qh, k.transpose(2, 3)) / std::sqrt(static_cast<double>(hd));
  const at::Tensor key_pos = torch::arange(L).unsqueeze(0);
  const at::Tensor row_pos = torch::arange(start, start + n).unsqueeze(1);
  scores = scores.masked_fill(key_pos > row_pos, -std::numeric_limits<float>::infinity());
  const at::Tensor out = torch::matmul(torch::softmax(scores, -1), v);  // [B, H, n, hd]
  return out.permute({0, 2, 1, 3}).reshape({B * n, H * hd});
}

}  // namespace

TEST_CASE("fused attention matches softmax(q k^T / sqrt(d)) v on cache slices",
          "[core][model][attention]") {
  const int64_t B = 3, H = 8, KV = 2, hd = 64, slots = 5, cache_len = 96;
  const at::Tensor k_cache = torch::randn({slots, KV, cache_len, hd});
  const at::Tensor v_cache = torch::randn({slots, KV, cache_len, hd});
  // 1 and 3: decode steps; 40: a prompt chunk over three uneven blocks of rows.
  for (int64_t n : {1, 3, 40}) {
    for (int64_t start : {0, 37}) {
      INFO("rows " << n << " at " << start);
      const at::Tensor q = torch::randn({B, n, H, hd}) * 2.0;
      const at::Tensor keys = k_cache.narrow(0, 1, B).narrow(2, 0, start + n);
      const at::Tensor values = v_cache.narrow(0, 1, B).narrow(2, 0, start + n);
      if (!cpu_attention_applicable(q, keys, values)) {
        CSM_SKIP("CPU without AVX2: fused attention not exercised");
      }
      const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));
      const at::Tensor want = reference_attention(q, keys, values, start);
      for (const auto* set : kernel_sets(torch::kFloat)) {
        INFO(set->name);
        CHECK(torch::allclose(set->attention(q, keys, values, start, scale), want, 1e-5, 1e-5));
      }
      CHECK(torch::allclose(cpu_attention(q, keys, values, start, scale), want, 1e-5, 1e-5));
      const at::Tensor qb = q.to(torch::kBFloat16);
      const at::Tensor kb = keys.to(torch::kBFloat16), vb = values.to(torch::kBFloat16);
      for (const auto* set : kernel_sets(torch::kBFloat16)) {
        INFO(set->name);
        const at::Tensor got = set->attention(qb, kb, vb, start, scale);
        CHECK(got.scalar_type() == torch::kBFloat16);
        // fp32 inside, one bf16 rounding of outputs of magnitude about 1.
        CHECK(torch::allclose(got.to(torch::kFloat), reference_attention(qb, kb, vb, start), 1e-2,
                              1e-2));
      }
    }
  }
  CHECK_FALSE(cpu_attention_applicable(torch::randn({1, 1, 6, hd}), torch::randn({1, 4, 1, hd}),
                                       torch::randn({1, 4, 1, hd})));
}
