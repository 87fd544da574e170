// The model on a CUDA device: the golden prompts give the reference's greedy frames there too.
// Registered in every build; reported skipped where no CUDA device is visible (CPU builds, CI),
// run by scripts/device-check on a machine with a GPU.
#include <torch/torch.h>

#include "common/device/torch_device.h"
#include "core/model/generator.h"
#include "core/model/golden.h"
#include "support/catch.h"
#include "support/golden_csm.h"
#include "support/skip.h"

using namespace csm::model;

TEST_CASE("cuda: the golden prompts on the GPU give the reference's frames (fp32)",
          "[core][model][cuda]") {
  if (csm::device::cuda_device_count() == 0) {
    CSM_SKIP(std::string(csm::device::cuda_build() ? "no CUDA device is visible"
                                                   : "a CPU-only build (CSM_CUDA)"));
  }
  const c10::Device cuda(c10::kCUDA);
  for (const std::string name : {"tiny", "tiny_audio2051"}) {
    INFO(name);
    const auto model = csm::test::golden_csm_model(name, cuda);
    const std::vector<GoldenCase> cases = load_golden_cases(csm::test::golden_csm_dir(name).string());
    const GoldenCase& g = cases.front();  // "ctx"
    BatchedGenerator gen(model, 2);
    gen.reset_slot(1, {g.greedy_temperature, 1, 0});
    gen.prefill({{1, g.prompt_tokens.to(cuda), g.prompt_mask.to(cuda)}});
    for (int64_t n = 0; n < g.greedy_codes.size(0); ++n) {
      StepTrace trace;
      const at::Tensor codes = gen.step({1}, &trace);
      CHECK(codes.device().is_cpu());
      CHECK(torch::equal(codes[0], g.greedy_codes[n]));
      const at::Tensor logits = trace.c0_logits[0].to(torch::kCPU, torch::kDouble);
      CHECK((logits - g.greedy_c0_logits[n].to(torch::kDouble)).abs().max().item<double>() <=
            1e-4);
    }
  }
}
