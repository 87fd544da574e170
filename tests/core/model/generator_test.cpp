// Batched generation: the golden prompt next to other sessions at other positions (fused CPU
// kernels and LibTorch's ops), seeded sampling alone vs batched, per-slot reset, and the errors
// of the slot API.
#include "core/model/generator.h"

#include <torch/torch.h>

#include <tuple>
#include "support/catch.h"

#include "core/model/cpu_kernels.h"
#include "core/model/golden.h"
#include "core/model/random_weights.h"
#include "core/model/transformer.h"
#include "support/golden_csm.h"
#include "support/paths.h"

using namespace csm::model;
namespace kernels = csm::model::detail;

namespace {


// A random prompt of `rows` rows alternating text and audio rows.
PromptChunk random_prompt(const CsmConfig& c, int slot, int rows, uint64_t seed) {
  torch::manual_seed(seed);
  const int64_t K = c.audio_num_codebooks;
  at::Tensor tokens = torch::zeros({rows, K + 1}, torch::kLong);
  at::Tensor mask = torch::zeros({rows, K + 1}, torch::kBool);
  for (int r = 0; r < rows; ++r) {
    if (r % 3 == 2) {
      tokens[r].narrow(0, 0, K).copy_(torch::randint(std::min(c.audio_vocab_size, 2048), {K}));
      mask[r].narrow(0, 0, K).fill_(true);
    } else {
      tokens[r][K] = torch::randint(c.text_vocab_size, {1}).item<int64_t>();
      mask[r][K] = true;
    }
  }
  return {slot, tokens, mask};
}

double max_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

}  // namespace

TEST_CASE("golden prompt batched with other sessions at other positions matches the reference",
          "[core][model][generator]") {
  // With the fused CPU kernels this CPU has, and with LibTorch's ops (the path of CPUs without
  // AVX2 and of CUDA devices).
  struct Restore {
    ~Restore() { kernels::limit_kernel_isa(kernels::KernelIsa::avx512); }
  } restore;
  for (const auto& [name, ops] : {std::pair{"tiny", kernels::KernelIsa::avx512},
                                 std::pair{"tiny_audio2051", kernels::KernelIsa::avx512},
                                 std::pair{"tiny", kernels::KernelIsa::none},
                                 std::pair{"tiny_audio2051", kernels::KernelIsa::none}}) {
    INFO(name << (ops == kernels::KernelIsa::none ? ", LibTorch's ops" : ", fused kernels"));
    kernels::limit_kernel_isa(ops);
    const auto model = csm::test::golden_csm_model(name);
    const auto cases = load_golden_cases(csm::test::golden_csm_dir(name).string());
    const GoldenCase& g = cases.front();  // "ctx"
    BatchedGenerator gen(model, 4);
    // Slot 2 runs the golden prompt; slots 0 and 3 hold other sessions of other lengths, fed
    // in the same prefill call and stepped in the same batches (slot 1 stays idle).
    for (int s : {0, 2, 3}) gen.reset_slot(s, {g.greedy_temperature, 1, 0});
    gen.prefill({random_prompt(model->config(), 0, 5, 1), {2, g.prompt_tokens, g.prompt_mask},
                 random_prompt(model->config(), 3, 23, 2)});
    // Slot 0 gets one more chunk (chunked prefill) so all three sit at different positions.
    gen.prefill({random_prompt(model->config(), 0, 4, 3)});
    const int64_t frames = g.greedy_codes.size(0);
    for (int64_t n = 0; n < frames; ++n) {
      StepTrace trace;
      const at::Tensor codes = gen.step({3, 2, 0}, &trace);
      CHECK(torch::equal(codes[1], g.greedy_codes[n]));
      CHECK(max_diff(trace.c0_logits[1], g.greedy_c0_logits[n]) <= 2e-5);
      CHECK(max_diff(trace.backbone_last_hidden[1], g.greedy_backbone_last_hidden[n]) <= 2e-5);
    }
    CHECK(gen.position(2) == g.prompt_tokens.size(0) + frames);
    CHECK(gen.position(0) == 9 + frames);
  }
}

TEST_CASE("a seeded session samples the same codes alone or batched", "[core][model][generator]") {
  const auto model = csm::test::golden_csm_model("tiny_audio2051");
  const SamplingParams params{0.9f, 50, 1234};
  const PromptChunk prompt = random_prompt(model->config(), 0, 12, 5);

  BatchedGenerator alone(model, 1);
  alone.reset_slot(0, params);
  alone.prefill({prompt});
  std::vector<at::Tensor> expected;
  for (int n = 0; n < 6; ++n) expected.push_back(alone.step({0})[0]);

  BatchedGenerator batched(model, 3);
  batched.reset_slot(0, {1.2f, 20, 99});
  batched.reset_slot(1, params);
  batched.reset_slot(2, {0.7f, 5, 7});
  PromptChunk mine = prompt;
  mine.slot = 1;
  batched.prefill({random_prompt(model->config(), 0, 30, 6), mine, random_prompt(model->config(), 2, 3, 8)});
  for (int n = 0; n < 6; ++n) {
    const at::Tensor codes = batched.step({0, 1, 2});
    CHECK(torch::equal(codes[1], expected[n]));
  }
  // Sampling is not greedy: a different seed gives different codes.
  BatchedGenerator other(model, 1);
  other.reset_slot(0, {0.9f, 50, 4321});
  other.prefill({prompt});
  bool differs = false;
  for (int n = 0; n < 6; ++n) differs = differs || !torch::equal(other.step({0})[0], expected[n]);
  CHECK(differs);
}

TEST_CASE("resetting one slot leaves the other sessions unchanged", "[core][model][generator]") {
  const auto model = csm::test::golden_csm_model("tiny");
  auto run = [&](bool reset_neighbour) {
    BatchedGenerator gen(model, 2);
    gen.reset_slot(0, {0.9f, 10, 1});
    gen.reset_slot(1, {0.9f, 10, 2});
    gen.prefill({random_prompt(model->config(), 0, 7, 1), random_prompt(model->config(), 1, 11, 2)});
    std::vector<at::Tensor> codes;
    for (int n = 0; n < 4; ++n) {
      codes.push_back(gen.step({0, 1})[0]);
      if (reset_neighbour && n == 1) {
        gen.reset_slot(1, {0.5f, 3, 9});  // a new session takes slot 1 mid-stream
        gen.prefill({random_prompt(model->config(), 1, 3, 4)});
      }
    }
    return torch::stack(codes);
  };
  CHECK(torch::equal(run(false), run(true)));
}

TEST_CASE("a step that throws keeps nothing: retried slot by slot it gives the same frames",
          "[core][model][generator]") {
  const auto model = csm::test::golden_csm_model("tiny_audio2051");
  auto start = [&](BatchedGenerator& gen) {
    gen.reset_slot(0, {0.9f, 50, 1});
    gen.reset_slot(1, {0.8f, 20, 2});
    gen.prefill(
        {random_prompt(model->config(), 0, 9, 1), random_prompt(model->config(), 1, 14, 2)});
  };
  BatchedGenerator clean(model, 2);
  start(clean);
  std::vector<at::Tensor> expected;
  for (int n = 0; n < 4; ++n) expected.push_back(clean.step({0, 1}));

  BatchedGenerator gen(model, 2);
  start(gen);
  // The fault hits batches only, after the frames were sampled (and, from frame 1 on, after
  // the previous frames were fed to the backbone): the worst place for a retry.
  auto batches_fail = [](const std::vector<int>& slots) {
    if (slots.size() > 1) throw std::runtime_error("injected fault");
  };
  for (int n = 0; n < 4; ++n) {
    INFO("frame " << n);
    if (n % 2 == 1) {
      CHECK(torch::equal(gen.step({0, 1}), expected[n]));
      continue;
    }
    gen.set_step_fault(batches_fail);
    const int before[] = {gen.position(0), gen.position(1)};
    CHECK_THROWS_WITH(gen.step({0, 1}), "injected fault");
    CHECK(gen.position(0) == before[0]);
    CHECK(gen.position(1) == before[1]);
    CHECK(torch::equal(gen.step({1})[0], expected[n][1]));
    CHECK(torch::equal(gen.step({0})[0], expected[n][0]));
    gen.set_step_fault({});
  }
  CHECK(gen.position(0) == clean.position(0));
  CHECK(gen.position(1) == clean.position(1));
  CHECK(torch::equal(gen.step({0, 1}), clean.step({0, 1})));
}

TEST_CASE("slot API rejects misuse with clear errors", "[core][model][generator]") {
  const auto model = csm::test::golden_csm_model("tiny");
  BatchedGenerator gen(model, 2);
  CHECK_THROWS_AS(gen.reset_slot(2), SlotError);
  CHECK_THROWS_AS(gen.reset_slot(0, {0.0f, 1, 0}), SlotError);
  CHECK_THROWS_AS(gen.step({0}), SlotError);  // no session
  gen.reset_slot(0);
  CHECK_THROWS_AS(gen.step({0}), SlotError);  // no prompt
  const PromptChunk p = random_prompt(model->config(), 0, 4, 1);
  CHECK_THROWS_AS(gen.prefill({p, p}), SlotError);
  PromptChunk bad = p;
  bad.mask = bad.mask.narrow(1, 0, 3);
  CHECK_THROWS_AS(gen.prefill({bad}), SlotError);
  gen.prefill({p});
  CHECK(gen.position(0) == 4);
  CHECK(gen.step({0}).sizes() == at::IntArrayRef({1, model->config().audio_num_codebooks}));
  CHECK(gen.position(0) == 5);
  CHECK_THROWS_AS(gen.prefill({p}), SlotError);  // already generating
  CHECK_THROWS_AS(gen.step({0, 0}), SlotError);

  // Context limit: fill the backbone cache, then the next fed frame does not fit.
  gen.reset_slot(1);
  const int len = model->config().backbone.kv_cache_len;
  gen.prefill({random_prompt(model->config(), 1, len - 1, 3)});
  CHECK(gen.steps_left(1) == 2);
  gen.step({1});  // uses the last prompt row; its frame will sit at position len - 1
  CHECK(gen.steps_left(1) == 1);
  gen.step({1});  // feeds that frame at position len - 1
  CHECK(gen.steps_left(1) == 0);
  CHECK_THROWS_AS(gen.step({1}), SlotError);
}

TEST_CASE("the demo model is written, loaded in bf16 and generates frames", "[core][model][demo]") {
  csm::test::ScratchDir dir;
  const std::string config_path = write_demo_model(dir.path().string(), "bfloat16", 3);
  const CsmConfig config = load_csm_config(config_path);
  CHECK(config.text_vocab_size == 128256);
  CHECK(config.audio_vocab_size == 2051);
  CHECK(config.audio_num_codebooks == 32);
  RuntimeOptions options;
  options.dtype = "float16";
  CHECK_THROWS_AS(CsmModel::load(config, "unused", options), std::invalid_argument);
  options.dtype = "bfloat16";
  const auto model = CsmModel::load(config, (dir.path() / config.weights_file).string(), options);
  CHECK(model->dtype() == torch::kBFloat16);
  BatchedGenerator gen(model, 2);
  gen.reset_slot(1, {0.9f, 50, 11});
  gen.prefill({random_prompt(config, 1, 10, 4)});
  for (int n = 0; n < 3; ++n) {
    const at::Tensor codes = gen.step({1});
    CHECK(codes.sizes() == at::IntArrayRef({1, 32}));
    CHECK((codes >= 0).all().item<bool>());
    CHECK((codes < 2051).all().item<bool>());
  }
}

TEST_CASE("dropping cached rows: the rows after them move down with keys for their new positions",
          "[core][model][generator]") {
  const auto model = csm::test::golden_csm_model("tiny");
  const TransformerStack& stack = model->backbone();
  const StackConfig& c = stack.config();
  KvCache cache(c, 2, torch::kFloat, torch::kCPU);
  torch::manual_seed(7);
  const at::Tensor voice = torch::randn({5, c.embed_dim});
  const at::Tensor dropped = torch::randn({10, c.embed_dim});
  const at::Tensor kept = torch::randn({12, c.embed_dim});
  // Slot 0 reads voice, dropped and kept rows; slot 1 only voice and kept rows.
  stack.forward(torch::cat({voice, dropped, kept}), RowLayout({{0, 0, 27}}, torch::kCPU), cache);
  stack.forward(torch::cat({voice, kept}), RowLayout({{1, 0, 17}}, torch::kCPU), cache);
  const at::Tensor voice_k = cache.k(0)[0].narrow(1, 0, 5).clone();
  stack.drop_rows(cache, 0, 5, 10, 27);
  // The first layer's keys and values depend only on a row and its position: slot 0 now
  // holds what slot 1 computed, the kept keys rotated back by 10 positions.
  for (const auto& [what, got, want] :
       {std::tuple{"keys", cache.k(0)[0], cache.k(0)[1]}, {"values", cache.v(0)[0], cache.v(0)[1]}}) {
    INFO(what);
    CHECK(torch::allclose(got.narrow(1, 0, 17), want.narrow(1, 0, 17), 1e-5, 1e-5));
  }
  CHECK(torch::equal(cache.k(0)[0].narrow(1, 0, 5), voice_k));  // rows before: untouched
  // Later layers still carry what the kept rows saw of the dropped ones.
  const int last = c.num_layers - 1;
  CHECK_FALSE(torch::allclose(cache.v(last)[0].narrow(1, 5, 12), cache.v(last)[1].narrow(1, 5, 12),
                              1e-3, 1e-3));
  CHECK_THROWS_AS(stack.drop_rows(cache, 0, 5, 20, 17), std::out_of_range);
}

TEST_CASE("dropping rows in a generating slot: after a truncate, and only rows it fed",
          "[core][model][generator]") {
  const auto model = csm::test::golden_csm_model("tiny");
  BatchedGenerator gen(model, 1);
  gen.reset_slot(0);
  gen.prefill({random_prompt(model->config(), 0, 20, 1)});
  gen.step({0});
  gen.step({0});  // 21 rows fed, a frame pending
  CHECK_THROWS_AS(gen.drop_rows(0, 2, 5), SlotError);
  gen.truncate(0, 21);
  CHECK_THROWS_AS(gen.drop_rows(0, 10, 12), SlotError);  // past what was fed
  gen.drop_rows(0, 2, 5);
  CHECK(gen.position(0) == 16);
  CHECK(gen.steps_left(0) == 0);  // a prompt comes first
  gen.prefill({random_prompt(model->config(), 0, 3, 2)});
  CHECK(gen.position(0) == 19);
  CHECK(gen.step({0}).size(0) == 1);
}
