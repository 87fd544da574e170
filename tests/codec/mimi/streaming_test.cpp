// Streaming invariants: independent slots, reset_slot, the active mask, streaming = offline
// within the first attention window, multi-frame calls.
#include "codec/mimi/mimi.h"
#include "codec/mimi/random_checkpoint.h"
#include "support/paths.h"

#include <torch/torch.h>
#include "support/catch.h"

using namespace csm::mimi;

namespace {

std::string golden_dir() { return (csm::test::data_dir() / "golden" / "mimi" / "reduced").string(); }

std::shared_ptr<const MimiModel> golden_model(int64_t slots, bool full_window = false,
                                              int64_t frames_per_call = 1) {
  MimiOptions o;
  o.max_slots = slots;
  o.full_window = full_window;
  o.max_frames_per_call = frames_per_call;
  return MimiModel::load_dir(golden_dir(), o);
}

// max|a - b| <= 2e-5 * max|b| (the golden tolerance).
bool close(const at::Tensor& a, const at::Tensor& b) {
  const double scale = b.abs().max().item<double>();
  return (a - b).abs().max().item<double>() <= 2e-5 * scale;
}

at::Tensor random_codes(int64_t slots, int64_t k, int64_t frames, int64_t bins, uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  return torch::randint(bins, {slots, k, frames}, gen, torch::kInt64);
}

}  // namespace

TEST_CASE("reset_slot leaves the other slots bit-identical", "[mimi][streaming]") {
  auto model = golden_model(3);
  const at::Tensor codes = random_codes(3, 8, 10, 64, 1);
  const at::Tensor other = random_codes(3, 8, 10, 64, 2);
  MimiDecodeState a = model->new_decode_state(), b = model->new_decode_state();
  for (int64_t f = 0; f < 10; ++f) {
    if (f == 4) b.reset_slot(1);
    at::Tensor in_b = codes.narrow(2, f, 1).clone();
    if (f >= 4) in_b[1] = other.narrow(2, f, 1)[1];  // slot 1 starts a new stream in b
    const at::Tensor out_a = model->decode_step(a, codes.narrow(2, f, 1));
    const at::Tensor out_b = model->decode_step(b, in_b);
    INFO("frame " << f);
    REQUIRE(torch::equal(out_a[0], out_b[0]));
    REQUIRE(torch::equal(out_a[2], out_b[2]));
    if (f >= 4) REQUIRE_FALSE(torch::equal(out_a[1], out_b[1]));
  }
}

TEST_CASE("a reset slot restarts exactly like a fresh stream", "[mimi][streaming]") {
  auto model = golden_model(2);
  const at::Tensor codes = random_codes(2, 8, 6, 64, 3);
  MimiDecodeState state = model->new_decode_state();
  for (int64_t f = 0; f < 5; ++f) model->decode_step(state, codes.narrow(2, f, 1));
  state.reset_slot(0);
  MimiDecodeState fresh = model->new_decode_state();
  for (int64_t f = 0; f < 6; ++f) {
    const at::Tensor frame = codes.narrow(2, f, 1);
    const at::Tensor x = model->decode_step(state, frame, {true, false});
    const at::Tensor y = model->decode_step(fresh, frame, {true, false});
    REQUIRE(torch::equal(x[0], y[0]));
    REQUIRE(torch::equal(x[1], torch::zeros_like(x[1])));  // inactive rows are zero
  }
}

TEST_CASE("one slot's audio is unchanged while others start, stop and reset",
          "[mimi][streaming]") {
  const int64_t frames = 12;
  const at::Tensor codes = random_codes(4, 8, frames, 64, 4);
  // Slot 2 alone (reference semantics, window exceeded after 3 frames).
  auto solo = golden_model(1);
  MimiDecodeState solo_state = solo->new_decode_state();
  std::vector<at::Tensor> expected;
  for (int64_t f = 0; f < frames; ++f) {
    expected.push_back(solo->decode_step(solo_state, codes.narrow(2, f, 1).narrow(0, 2, 1))[0]);
  }
  auto model = golden_model(4);
  MimiDecodeState state = model->new_decode_state();
  for (int64_t f = 0; f < frames; ++f) {
    std::vector<bool> active{f % 3 != 0, f >= 5, true, f < 7};
    if (f == 6) state.reset_slot(0);
    if (f == 8) state.reset_slot(3);
    const at::Tensor out = model->decode_step(state, codes.narrow(2, f, 1), active);
    INFO("frame " << f);
    REQUIRE(close(out[2], expected[static_cast<size_t>(f)]));
  }
}

TEST_CASE("streaming decode equals offline within the first attention window",
          "[mimi][streaming]") {
  // Demo model: real 250-step window, so 20 frames stay inside it in reference mode.
  const MimiConfig config = demo_config();
  MimiOptions o;
  o.max_slots = 2;
  auto model = MimiModel::create(config, random_weights(config, kDemoSeed), o);
  const at::Tensor codes = random_codes(2, 32, 20, 2048, 5);
  const at::Tensor offline = model->decode(codes);
  MimiDecodeState state = model->new_decode_state();
  std::vector<at::Tensor> parts;
  for (int64_t f = 0; f < 20; ++f) parts.push_back(model->decode_step(state, codes.narrow(2, f, 1)));
  CHECK(close(torch::cat(parts, 2), offline));

  // Encode: latents of streaming whole frames equal the offline latents.
  const at::Tensor pcm = offline.detach();
  EncodeTrace off;
  model->encode(pcm, 0, &off);
  MimiEncodeState enc = model->new_encode_state();
  std::vector<at::Tensor> latents;
  for (int64_t f = 0; f < 20; ++f) {
    EncodeTrace t;
    model->encode_step(enc, pcm.narrow(2, f * 1920, 1920), {}, 0, &t);
    latents.push_back(t.latent);
  }
  CHECK(close(torch::cat(latents, 2), off.latent));
}

TEST_CASE("full-window streaming with multi-frame calls equals offline past the window",
          "[mimi][streaming]") {
  auto model = golden_model(2, /*full_window=*/true, /*frames_per_call=*/2);
  const at::Tensor codes = random_codes(2, 8, 10, 64, 6);
  const at::Tensor offline = model->decode(codes);
  MimiDecodeState state = model->new_decode_state();
  std::vector<at::Tensor> parts;
  // 2 + 2 + 3 (longer than max_frames_per_call: processed in pieces) + 1 + 2 frames.
  int64_t begin = 0;
  for (int64_t n : {2, 2, 3, 1, 2}) {
    parts.push_back(model->decode_step(state, codes.narrow(2, begin, n)));
    begin += n;
  }
  CHECK(close(torch::cat(parts, 2), offline));
  // Reference mode differs once the window (6 steps) is exceeded (spec §5).
  auto reference = golden_model(2);
  MimiDecodeState ref_state = reference->new_decode_state();
  parts.clear();
  for (int64_t f = 0; f < 10; ++f) parts.push_back(reference->decode_step(ref_state, codes.narrow(2, f, 1)));
  CHECK_FALSE(close(torch::cat(parts, 2), offline));
}

TEST_CASE("streaming calls are validated", "[mimi][streaming]") {
  auto model = golden_model(2);
  MimiEncodeState enc = model->new_encode_state();
  MimiDecodeState dec = model->new_decode_state();
  CHECK_THROWS_AS(model->encode_step(enc, torch::zeros({2, 1, 1000})), MimiError);
  CHECK_THROWS_AS(model->encode_step(enc, torch::zeros({3, 1, 1920})), MimiError);
  CHECK_THROWS_AS(model->decode_step(dec, torch::zeros({2, 8, 1}, torch::kInt64), {true}),
                  MimiError);
  CHECK_THROWS_AS(model->decode_step(enc, torch::zeros({2, 8, 1}, torch::kInt64)), MimiError);
  CHECK_THROWS_AS(dec.reset_slot(2), MimiError);
  CHECK_THROWS_AS(model->decode(torch::full({1, 8, 2}, 64, torch::kInt64)), MimiError);
}
