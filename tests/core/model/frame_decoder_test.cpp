// The fixed-shape step (BackboneStep, FrameDecoder; FrameMode::static_shapes / cuda_graphs): its
// batch and context buckets, graph keys and buffer sizes, and that padding a step to a bucket
// changes no code and no logit.
// The CUDA graph itself is checked by the [cuda] case on a machine with a GPU.
#include "core/model/frame_decoder.h"

#include <torch/torch.h>

#include "common/device/torch_device.h"
#include "core/model/backbone_step.h"
#include "core/model/batch_buckets.h"
#include "core/model/cuda_graph.h"
#include "core/model/generator.h"
#include "core/model/golden.h"
#include "support/catch.h"
#include "support/cuda.h"
#include "support/golden_csm.h"

using namespace csm::model;

TEST_CASE("frame buckets: powers of two up to the slot count, at most 64",
          "[core][model][frame]") {
  CHECK(batch_buckets(1) == std::vector<int>{1});
  CHECK(batch_buckets(2) == std::vector<int>{1, 2});
  CHECK(batch_buckets(6) == std::vector<int>{1, 2, 4, 8});
  CHECK(batch_buckets(8) == std::vector<int>{1, 2, 4, 8});
  CHECK(batch_buckets(33) == std::vector<int>{1, 2, 4, 8, 16, 32, 64});
  CHECK(batch_buckets(500) == std::vector<int>{1, 2, 4, 8, 16, 32, 64});
  CHECK_THROWS_AS(batch_buckets(0), std::invalid_argument);

  const std::vector<int> buckets = batch_buckets(6);
  CHECK(bucket_for(1, buckets) == 1);
  CHECK(bucket_for(3, buckets) == 4);
  CHECK(bucket_for(4, buckets) == 4);
  CHECK(bucket_for(5, buckets) == 8);
  CHECK(bucket_for(8, buckets) == 8);
  CHECK(bucket_for(9, buckets) == 0);   // more rows than the largest bucket: eager
  CHECK(bucket_for(0, buckets) == 0);
  CHECK(bucket_for(1, {}) == 0);        // eager mode has no buckets

  CHECK(FrameGraphKey{4} == FrameGraphKey{bucket_for(3, buckets)});
  CHECK_FALSE(FrameGraphKey{4} == FrameGraphKey{bucket_for(5, buckets)});
}

TEST_CASE("frame buckets: backbone contexts from 256 rows to the cache length",
          "[core][model][frame]") {
  CHECK(context_buckets(2048) == std::vector<int>{256, 512, 1024, 2048});
  CHECK(context_buckets(1500) == std::vector<int>{256, 512, 1024, 1500});
  CHECK(context_buckets(256) == std::vector<int>{256});
  CHECK(context_buckets(64) == std::vector<int>{64});
  CHECK_THROWS_AS(context_buckets(0), std::invalid_argument);
  // A step's context: the shortest that holds its last position (position + 1 rows).
  const std::vector<int> contexts = context_buckets(2048);
  CHECK(bucket_for(0 + 1, contexts) == 256);
  CHECK(bucket_for(255 + 1, contexts) == 256);
  CHECK(bucket_for(256 + 1, contexts) == 512);
  CHECK(bucket_for(2047 + 1, contexts) == 2048);
  CHECK(bucket_for(2048 + 1, contexts) == 0);
  CHECK(BackboneGraphKey{8, 512} == BackboneGraphKey{bucket_for(5, batch_buckets(8)),
                                                     bucket_for(300, contexts)});
  CHECK_FALSE(BackboneGraphKey{8, 512} == BackboneGraphKey{8, 1024});
}

TEST_CASE("frame buffers: csm-1b's bytes per bucket", "[core][model][frame]") {
  const CsmConfig c = CsmConfig::csm_1b();  // D 2048, K 32, V 2051
  // bf16 states 2048*2, temperature + top-k 12, noise 32*2051*4, codes 32*8, logits 2051*4.
  CHECK(frame_buffer_bytes(c, 1, at::kBFloat16) == 4096 + 12 + 262528 + 256 + 8204);
  CHECK(frame_buffer_bytes(c, 64, at::kBFloat16) == 64 * frame_buffer_bytes(c, 1, at::kBFloat16));
  CHECK(frame_buffer_bytes(c, 1, at::kFloat) == frame_buffer_bytes(c, 1, at::kBFloat16) + 4096);
  // Every bucket of a 64-slot generator: under 40 MB, mostly noise.
  int64_t all = 0;
  for (int b : batch_buckets(64)) all += frame_buffer_bytes(c, b, at::kBFloat16);
  CHECK(all == 127 * frame_buffer_bytes(c, 1, at::kBFloat16));
  CHECK(all < 40'000'000);
  // The backbone step's: tokens and mask 33*9, positions and slots 16, bf16 output 2048*2.
  CHECK(backbone_step_buffer_bytes(c, 1, at::kBFloat16) == 297 + 16 + 4096);
  CHECK(backbone_step_buffer_bytes(c, 64, at::kBFloat16) ==
        64 * backbone_step_buffer_bytes(c, 1, at::kBFloat16));
}

TEST_CASE("frame modes: names, and graphs only on a CUDA device", "[core][model][frame]") {
  CHECK(parse_frame_mode("eager") == FrameMode::eager);
  CHECK(parse_frame_mode("static") == FrameMode::static_shapes);
  CHECK(parse_frame_mode("graphs") == FrameMode::cuda_graphs);
  CHECK_THROWS_WITH(parse_frame_mode("graph"),
                    Catch::Contains("\"eager\", \"static\" or \"graphs\""));
  CHECK(std::string(frame_mode_name(FrameMode::static_shapes)) == "static");
  const auto model = csm::test::golden_csm_model("tiny");
  CHECK_THROWS_WITH(BatchedGenerator(model, 2, FrameMode::cuda_graphs),
                    Catch::Contains("CUDA graphs need a CUDA device"));
  CHECK_THROWS_WITH(check_cuda_graph_device(c10::kCPU), Catch::Contains("model on cpu"));
  BatchedGenerator fixed(model, 5, FrameMode::static_shapes);
  CHECK(fixed.buckets() == std::vector<int>{1, 2, 4, 8});
  CHECK(BatchedGenerator(model, 5).buckets().empty());
}

TEST_CASE("backbone step: rows it cannot take are refused before any work",
          "[core][model][frame]") {
  const auto model = csm::test::golden_csm_model("tiny");
  const CsmConfig& c = model->config();
  KvCache cache(c.backbone, 3, model->dtype(), model->device());
  BackboneStep step(*model, cache, 2, /*scratch_slot=*/2, /*capture=*/false);
  CHECK(step.contexts() == context_buckets(std::min(c.backbone.kv_cache_len,
                                                     c.backbone.max_seq_len)));
  const at::Tensor one = torch::zeros({1, c.audio_num_codebooks}, torch::kLong);
  const at::Tensor three = torch::zeros({3, c.audio_num_codebooks}, torch::kLong);
  CHECK_THROWS_WITH(step.run(three, {0, 0, 0}, {0, 1, 2}), Catch::Contains("3 rows for bucket 2"));
  CHECK_THROWS_WITH(step.run(one, {0}, {2}), Catch::Contains("not a distinct session slot"));
  const at::Tensor two = torch::zeros({2, c.audio_num_codebooks}, torch::kLong);
  CHECK_THROWS_WITH(step.run(two, {0, 1}, {1, 1}), Catch::Contains("not a distinct session slot"));
  CHECK_THROWS_WITH(step.run(one, {step.contexts().back()}, {0}),
                    Catch::Contains("past the cache"));
  CHECK(step.run(one, {0}, {1}).sizes() == std::vector<int64_t>{1, c.backbone.embed_dim});
  CHECK_THROWS_AS(BackboneStep(*model, cache, 2, /*scratch_slot=*/3, false), std::invalid_argument);
}

namespace {

// Three sessions sampled (top-k 50, temperature 0.9, their own seeds) on the golden prompt,
// stepped as 3 slots (bucket 4: one padding row), then 1 slot (bucket 1), then 5 (bucket 8);
// returns every frame's codes and c0 logits in order.
std::vector<std::pair<at::Tensor, at::Tensor>> run_sessions(FrameMode mode,
                                                            c10::Device device = c10::kCPU) {
  const auto model = csm::test::golden_csm_model("tiny", device);
  const GoldenCase g = load_golden_cases(csm::test::golden_csm_dir("tiny").string()).front();
  BatchedGenerator gen(model, 5, mode);
  for (int s = 0; s < 5; ++s) gen.reset_slot(s, {0.9f, 50, static_cast<uint64_t>(100 + s)});
  std::vector<PromptChunk> prompts;
  for (int s = 0; s < 5; ++s) {
    prompts.push_back({s, g.prompt_tokens.to(device), g.prompt_mask.to(device)});
  }
  gen.prefill(prompts);
  std::vector<std::pair<at::Tensor, at::Tensor>> frames;
  for (const std::vector<int>& slots : std::vector<std::vector<int>>{
           {2, 0, 4}, {2, 0, 4}, {1}, {3, 4, 0, 1, 2}, {0, 1, 2, 3, 4}}) {
    StepTrace trace;
    const at::Tensor codes = gen.step(slots, &trace);
    frames.emplace_back(codes, trace.c0_logits.to(torch::kCPU));
  }
  return frames;
}

}  // namespace

TEST_CASE("frame modes: padded to a bucket, the frames are the eager path's",
          "[core][model][frame]") {
  const auto eager = run_sessions(FrameMode::eager);
  const auto fixed = run_sessions(FrameMode::static_shapes);
  REQUIRE(eager.size() == fixed.size());
  for (size_t f = 0; f < eager.size(); ++f) {
    INFO("frame " << f);
    CHECK(torch::equal(eager[f].first, fixed[f].first));
    CHECK(eager[f].second.sizes() == fixed[f].second.sizes());
    CHECK((eager[f].second - fixed[f].second).abs().max().item<double>() <= 1e-5);
  }
  // The sessions sample: not every frame of every slot is the same code.
  CHECK_FALSE(torch::equal(eager[0].first[0], eager[0].first[1]));
}

TEST_CASE("cuda: graph replays give the eager path's frames", "[core][model][frame][cuda]") {
  CSM_SKIP_WITHOUT_CUDA();
  csm::device::disable_tf32();
  const c10::Device cuda(c10::kCUDA);
  const auto eager = run_sessions(FrameMode::eager, cuda);
  for (FrameMode mode : {FrameMode::static_shapes, FrameMode::cuda_graphs}) {
    INFO(frame_mode_name(mode));
    const auto fixed = run_sessions(mode, cuda);
    for (size_t f = 0; f < eager.size(); ++f) {
      INFO("frame " << f);
      CHECK(torch::equal(eager[f].first, fixed[f].first));
      CHECK((eager[f].second - fixed[f].second).abs().max().item<double>() <= 1e-4);
    }
  }
}
