#include "support/catch.h"

#include <opus/opus.h>

#include <cmath>

#include "bench/client/opus_frame_check.h"

namespace {

// Real Opus packets of `packet_ms` each from a 440 Hz tone at 24 kHz.
std::vector<std::string> encode_tone(int packets, int packet_ms) {
  int error = 0;
  OpusEncoder* enc = opus_encoder_create(24000, 1, OPUS_APPLICATION_AUDIO, &error);
  REQUIRE(error == OPUS_OK);
  const int n = 24 * packet_ms;
  std::vector<float> pcm(static_cast<size_t>(n));
  std::vector<std::string> out;
  for (int p = 0; p < packets; ++p) {
    for (int i = 0; i < n; ++i) pcm[i] = 0.3f * std::sin(2 * M_PI * 440 * (p * n + i) / 24000.0);
    unsigned char buf[4000];
    const int bytes = opus_encode_float(enc, pcm.data(), n, buf, sizeof buf);
    REQUIRE(bytes > 0);
    out.emplace_back(reinterpret_cast<char*>(buf), static_cast<size_t>(bytes));
  }
  opus_encoder_destroy(enc);
  return out;
}

}  // namespace

TEST_CASE("an 80 ms frame of Opus packets decodes to 80 ms", "[bench]") {
  csm::bench::OpusFrameCheck check;
  CHECK(check.decode_frame_ms(encode_tone(4, 20)) == Approx(80));
  CHECK(check.decode_frame_ms(encode_tone(2, 40)) == Approx(80));
  CHECK(check.decode_frame_ms(encode_tone(3, 20)) == Approx(60));
  CHECK(check.decode_frame_ms({std::string("\xff\xff\xff", 3)}) < 0);
}
