// The model on a CUDA device: the golden prompts give the reference's greedy frames there too.
// Registered in every build; reported skipped where no CUDA device is visible (CPU builds, CI),
// run by scripts/device-check on a machine with a GPU.
#include <torch/torch.h>

#include "codec/mimi/mimi.h"
#include "codec/mimi/random_checkpoint.h"
#include "common/device/host_transfer.h"
#include "core/model/generator.h"
#include "core/model/golden.h"
#include "support/catch.h"
#include "support/cuda.h"
#include "support/golden_csm.h"

using namespace csm::model;

TEST_CASE("cuda: the golden prompts on the GPU give the reference's frames (fp32)",
          "[core][model][cuda]") {
  CSM_SKIP_WITHOUT_CUDA();
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

// The engine's tick on a GPU (core/engine/engine_stages.cpp): prefill, step and Mimi only
// queue work, and bringing the frames' codes and PCM back is the one wait for the device.
TEST_CASE(
    "cuda: a tick's prefill, step and Mimi queue work and its frames come back with one wait",
    "[core][model][cuda]") {
  CSM_SKIP_WITHOUT_CUDA();
  const c10::Device cuda(c10::kCUDA);
  const auto model = csm::test::golden_csm_model("tiny", cuda);
  const GoldenCase g = load_golden_cases(csm::test::golden_csm_dir("tiny").string()).front();
  const int64_t K = model->config().audio_num_codebooks;
  csm::mimi::MimiOptions mimi_options;
  mimi_options.device = "cuda";
  mimi_options.max_slots = 4;
  const auto mimi_config = csm::mimi::demo_config();
  const auto mimi = csm::mimi::MimiModel::create(
      mimi_config, csm::mimi::random_weights(mimi_config, 3), mimi_options);
  for (const FrameMode mode : {FrameMode::eager, FrameMode::cuda_graphs}) {
    INFO(frame_mode_name(mode));
    BatchedGenerator gen(model, 4, mode);
    auto decode_state = mimi->new_decode_state();
    for (int slot : {0, 2}) gen.reset_slot(slot, {0.9f, 50, static_cast<uint64_t>(slot)});
    csm::test::CudaSyncCounter syncs;
    // The engine passes prompt chunks as host tensors.
    gen.prefill({{0, g.prompt_tokens, g.prompt_mask}, {2, g.prompt_tokens, g.prompt_mask}});
    CHECK(syncs.count() == 0);
    for (int frame = 0; frame < 3; ++frame) {
      INFO("frame " << frame);
      syncs.reset();
      const at::Tensor codes = gen.step_on_device({2, 0});
      const at::Tensor rows = csm::device::to_device(torch::tensor({2, 0}, torch::kLong), cuda);
      const at::Tensor frame_codes =
          torch::zeros({4, K, 1}, codes.options()).index_copy_(0, rows, codes.unsqueeze(2));
      const at::Tensor pcm =
          mimi->decode_step(decode_state, frame_codes, {true, false, true, false});
      CHECK(syncs.count() == 0);
      const std::vector<at::Tensor> host = csm::device::to_host({codes, pcm});
      CHECK(syncs.count() == 1);
      CHECK(host[0].sizes() == at::IntArrayRef({2, K}));
      CHECK(host[1].sizes() == at::IntArrayRef({4, 1, mimi_config.frame_size}));
    }
  }
}
