// Writes the AVX512 kernels' outputs for fixed, seeded inputs into a folder, one raw file per
// case. tests/avx512_emulated/tests.cmake builds it twice: with the real kernels
// (csm-tests-avx512-outputs) and with the emulated ones in their place
// (csm-tests-avx512-outputs-emulated); compare-outputs.sh then compares the folders byte for
// byte on a CPU with AVX512, so the emulation that checks the kernels elsewhere is itself
// checked against the instructions. The cases take every kernel (bf16, fp32 and int8 GEMV/GEMM;
// RMSNorm, SwiGLU, RoPE and attention in both dtypes) through its register blockings and
// tails, and values whose products and results fall below fp32's normal range, where the
// instructions flush to zero.
//
// usage: csm-tests-avx512-outputs[-emulated] DIR
// Exit 0 written, 2 usage, 77 (skip) in the real build on a CPU without AVX512-BF16 and VNNI.
#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/cpu/features.h"
#include "common/cpu/gemm_kernels.h"
#include "core/model/cpu_kernels.h"
#include "support/avx512_gemm.h"

namespace {

using csm::test::avx512_gemm;
using csm::test::avx512_gemm_int8;
namespace kernels = csm::cpu::detail;
namespace fused = csm::model::detail;

void write(const std::string& dir, const std::string& name, const at::Tensor& t) {
  const at::Tensor c = t.contiguous();
  std::ofstream out(dir + "/" + name + ".bin", std::ios::binary);
  out.write(static_cast<const char*>(c.data_ptr()), static_cast<std::streamsize>(c.nbytes()));
  if (!out) throw std::runtime_error("cannot write " + dir + "/" + name + ".bin");
}

void write_outputs(const std::string& dir) {
  torch::manual_seed(20261207);
  for (const auto& [N, K] : std::vector<std::pair<int64_t, int64_t>>{{173, 256}, {40, 8192}}) {
    const at::Tensor w = torch::randn({N, K});
    const at::Tensor wq = torch::randint(-128, 128, {N, K}).to(torch::kChar);
    const at::Tensor scales = torch::rand({N}) * 0.02 + 0.001;
    for (int64_t T = 1; T <= kernels::kMaxRowsX; ++T) {
      const at::Tensor x = torch::randn({T, K});
      const std::string shape =
          std::to_string(N) + "x" + std::to_string(K) + "_T" + std::to_string(T);
      write(dir, "gemm_fp32_" + shape, avx512_gemm(x, w));
      write(dir, "gemm_bf16_" + shape, avx512_gemm(x.to(torch::kBFloat16), w.to(torch::kBFloat16)));
      write(dir, "gemm_int8_fp32_" + shape, avx512_gemm_int8(x, wq, scales));
      write(dir, "gemm_int8_bf16_" + shape, avx512_gemm_int8(x.to(torch::kBFloat16), wq, scales));
    }
  }
  // Long bf16 sums: the order in which the dot-product instruction adds a lane's two products
  // shows in a few of 2048 outputs.
  write(dir, "gemm_bf16_2048x2048_T1",
        avx512_gemm(torch::randn({1, 2048}).to(torch::kBFloat16),
                    torch::randn({2048, 2048}).to(torch::kBFloat16)));
  // bf16 products below fp32's normal range: the dot-product instruction flushes them.
  const at::Tensor tiny_x = (torch::randn({3, 256}) * 1e-20).to(torch::kBFloat16);
  const at::Tensor tiny_w = (torch::randn({64, 256}) * 1e-19).to(torch::kBFloat16);
  write(dir, "gemm_bf16_subnormal_products", avx512_gemm(tiny_x, tiny_w));

  const fused::KernelSet& set = fused::avx512_kernels();
  for (const auto dtype : {torch::kFloat, torch::kBFloat16}) {
    const std::string type = dtype == torch::kFloat ? "fp32" : "bf16";
    const at::Tensor x = (torch::randn({7, 1024}) * 3).to(dtype);
    write(dir, "rms_norm_" + type, set.rms_norm(x, torch::randn({1024}).to(dtype), 1e-5f));
    // Results below the normal range: the bf16 conversion flushes them.
    write(dir, "rms_norm_subnormal_" + type,
          set.rms_norm(x, (torch::randn({1024}) * 1e-39).to(dtype), 1e-5f));
    write(dir, "swiglu_" + type, set.swiglu((torch::randn({7, 2048}) * 8).to(dtype)));
    const at::Tensor angles = torch::rand({5, 32}) * 100;
    write(dir, "rope_" + type,
          set.rope(torch::randn({5, 8, 64}).to(dtype), torch::cos(angles), torch::sin(angles)));
    const at::Tensor cache_k = torch::randn({4, 2, 80, 64}).to(dtype);
    const at::Tensor cache_v = torch::randn({4, 2, 80, 64}).to(dtype);
    for (const auto& [n, start] : std::vector<std::pair<int64_t, int64_t>>{{1, 37}, {40, 0}}) {
      const at::Tensor q = (torch::randn({3, n, 8, 64}) * 2).to(dtype);
      write(dir, "attention_" + type + "_rows" + std::to_string(n),
            set.attention(q, cache_k.narrow(0, 1, 3).narrow(2, 0, start + n),
                          cache_v.narrow(0, 1, 3).narrow(2, 0, start + n), start, 0.125f));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
#ifndef CSM_EMULATED_AVX512
  if (!csm::cpu::has_avx512_vnni() || !csm::cpu::has_fast_bf16()) {
    std::fprintf(stderr, "CPU without AVX512-BF16 and AVX512-VNNI: the real kernels cannot run\n");
    return 77;
  }
#endif
  write_outputs(argv[1]);
  return 0;
}
