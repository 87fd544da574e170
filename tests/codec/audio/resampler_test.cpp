#include "codec/audio/resampler.h"

#include "support/catch.h"

#include "audio_test_support.h"
#include "codec/audio/audio_error.h"

using namespace csm::audio;
namespace t = csm::audio::test;

TEST_CASE("resampling keeps the length ratio and a tone's frequency", "[codec][audio][resample]") {
  const std::vector<float> input = t::tone(24000, 1.0, 440.0);
  for (const int rate : {8000, 16000, 22050, 44100, 48000}) {
    const std::vector<float> out = resample(input, 24000, rate);
    CAPTURE(rate);
    CHECK(out.size() == static_cast<std::size_t>(rate));
    CHECK(t::dominant_frequency(out, rate, 300, 600) == Approx(440).margin(1));
    // Amplitude preserved (0.5 peak -> 0.125 mean square), away from the filter's edges.
    const std::span<const float> middle(out.data() + rate / 10,
                                        out.size() - static_cast<std::size_t>(rate / 5));
    CHECK(t::energy(middle) / static_cast<double>(middle.size()) == Approx(0.125).epsilon(0.01));
  }
}

TEST_CASE("streaming resampling equals one-shot resampling", "[codec][audio][resample]") {
  const std::vector<float> input = t::chirp(24000, 1.0, 100, 3000);
  const std::vector<float> whole = resample(input, 24000, 8000);
  Resampler streaming(24000, 8000);
  std::vector<float> pieces;
  for (std::size_t i = 0; i < input.size(); i += 1920) {
    const std::size_t n = std::min<std::size_t>(1920, input.size() - i);
    const std::vector<float> part = streaming.process(std::span<const float>(input).subspan(i, n));
    pieces.insert(pieces.end(), part.begin(), part.end());
    // Output keeps up with input: at most 32 ms (256 samples at 8 kHz) held back.
    CHECK(pieces.size() + 256 >= (i + n) / 3);
  }
  const std::vector<float> tail = streaming.flush();
  pieces.insert(pieces.end(), tail.begin(), tail.end());
  REQUIRE(pieces.size() == whole.size());
  for (std::size_t i = 0; i < whole.size(); ++i)
    REQUIRE(pieces[i] == Approx(whole[i]).margin(1e-5));
}

TEST_CASE("a high tone is filtered out when downsampling below its Nyquist rate",
          "[codec][audio][resample]") {
  // 6 kHz cannot exist at 8 kHz; a real anti-alias filter removes it instead of folding it
  // to 2 kHz.
  const std::vector<float> out = resample(t::tone(24000, 1.0, 6000.0), 24000, 8000);
  REQUIRE(out.size() == 8000);
  // At least 50 dB below the input's mean square (0.125), away from the start and end.
  const std::span<const float> middle = std::span<const float>(out).subspan(800, 6400);
  CHECK(t::energy(middle) / static_cast<double>(middle.size()) < 0.125e-5);
}

TEST_CASE("resampler rejects impossible rates", "[codec][audio][resample]") {
  CHECK_THROWS_AS(Resampler(0, 24000), AudioError);
  CHECK_THROWS_AS(Resampler(24000, 10'000'000), AudioError);
}
