#include "codec/audio/g711.h"

#include "support/catch.h"

#include "audio_test_support.h"
#include "codec/audio/pcm.h"
#include "support/paths.h"
#include "support/skip.h"

using namespace csm::audio;

TEST_CASE("G.711 mu-law matches the standard's table", "[codec][audio][g711]") {
  // Encoder decision points and decoder reconstruction values of ITU-T G.711 Table 2a, in the
  // 16-bit scale (the table's 14-bit values times 4).
  CHECK(linear_to_ulaw(0) == 0xFF);
  CHECK(linear_to_ulaw(-1) == 0x7E);  // 14-bit input -1 (floored) is below -0
  CHECK(linear_to_ulaw(32767) == 0x80);
  CHECK(linear_to_ulaw(-32768) == 0x00);
  CHECK(linear_to_ulaw(1000) == 0xCE);
  CHECK(linear_to_ulaw(-1000) == 0x4E);
  CHECK(ulaw_to_linear(0xFF) == 0);
  CHECK(ulaw_to_linear(0x7F) == 0);
  CHECK(ulaw_to_linear(0x80) == 32124);
  CHECK(ulaw_to_linear(0x00) == -32124);
  CHECK(ulaw_to_linear(0xF0) == 120);
  CHECK(ulaw_to_linear(0xCE) == 988);
  CHECK(ulaw_to_linear(0x8F) == 16764);
}

TEST_CASE("G.711 A-law matches the standard's table", "[codec][audio][g711]") {
  CHECK(linear_to_alaw(0) == 0xD5);
  CHECK(linear_to_alaw(-1) == 0x55);
  CHECK(linear_to_alaw(32767) == 0xAA);
  CHECK(linear_to_alaw(-32768) == 0x2A);
  CHECK(linear_to_alaw(1000) == 0xFA);
  CHECK(alaw_to_linear(0xD5) == 8);
  CHECK(alaw_to_linear(0x55) == -8);
  CHECK(alaw_to_linear(0xAA) == 32256);
  CHECK(alaw_to_linear(0x2A) == -32256);
  CHECK(alaw_to_linear(0xFA) == 1008);
  CHECK(alaw_to_linear(0xC5) == 264);
}

TEST_CASE("G.711 codes are fixed points and quantisation error is bounded",
          "[codec][audio][g711]") {
  for (int code = 0; code < 256; ++code) {
    const auto c = static_cast<std::uint8_t>(code);
    const std::int16_t u = ulaw_to_linear(c);
    // Both zero codes of mu-law decode to 0, which encodes to +0.
    CHECK(linear_to_ulaw(u) == (u == 0 ? 0xFF : c));
    CHECK(linear_to_alaw(alaw_to_linear(c)) == c);
  }
  for (int v = -32768; v <= 32767; ++v) {
    const auto x = static_cast<std::int16_t>(v);
    const int magnitude = std::abs(v);
    // Half a quantisation step: steps double per segment, so the error stays within 1/32 of
    // the (biased) magnitude; beyond the largest code the output saturates.
    const int mu_bound = magnitude > 32124 ? 644 : (magnitude + 132) / 32 + 4;
    const int a_bound = magnitude > 32256 ? 512 : std::max(8, magnitude / 32 + 1);
    REQUIRE(std::abs(ulaw_to_linear(linear_to_ulaw(x)) - v) <= mu_bound);
    REQUIRE(std::abs(alaw_to_linear(linear_to_alaw(x)) - v) <= a_bound);
  }
}

TEST_CASE("G.711 encoding equals the CCITT reference code for every 16-bit input",
          "[codec][audio][g711][tools]") {
  // Python's audioop carries the Sun/CCITT reference encoder (g711.c); it is the independent
  // oracle here. (ffmpeg's encoder derives its decision levels from reconstruction midpoints
  // and differs from G.711 on a few hundred inputs near segment edges.)
  REQUIRE(csm::audio::test::have_tool("python3"));
  // Python 3.13 (Debian 13) removed audioop: no oracle there.
  if (csm::audio::test::run("python3 -W ignore -c 'import audioop' 2>/dev/null").status != 0) {
    CSM_SKIP("python3 has no audioop module (removed in Python 3.13)");
  }
  csm::test::ScratchDir dir;
  std::vector<float> samples;
  for (int v = -32768; v <= 32767; ++v) samples.push_back(static_cast<float>(v) / 32768.0F);
  std::vector<std::uint8_t> s16;
  append_samples(samples, SampleFormat::S16LE, s16);
  csm::audio::test::write_file(dir.file("in.raw"), s16);
  const auto result = csm::audio::test::run(
      "python3 -W ignore -c \"import audioop,sys; d=open(sys.argv[1],'rb').read(); "
      "open(sys.argv[2],'wb').write(audioop.lin2ulaw(d,2)); "
      "open(sys.argv[3],'wb').write(audioop.lin2alaw(d,2))\" " +
      dir.file("in.raw") + " " + dir.file("mulaw.raw") + " " + dir.file("alaw.raw"));
  REQUIRE(result.status == 0);
  for (const auto& [law, name] :
       {std::pair{G711Law::MuLaw, "mulaw"}, std::pair{G711Law::ALaw, "alaw"}}) {
    const std::vector<std::uint8_t> theirs =
        csm::audio::test::read_file(dir.file(std::string(name) + ".raw"));
    std::vector<std::uint8_t> ours;
    append_g711(samples, law, ours);
    REQUIRE(theirs.size() == ours.size());
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < ours.size(); ++i) {
      if (theirs[i] != ours[i] && mismatches++ < 5) {
        UNSCOPED_INFO(name << ": input " << float_to_s16(samples[i]) << " reference "
                           << int(theirs[i]) << " ours " << int(ours[i]));
      }
    }
    CHECK(mismatches == 0);
  }
}

TEST_CASE("ffmpeg decodes our G.711 codes to the same linear values",
          "[codec][audio][g711][tools]") {
  REQUIRE(csm::audio::test::have_tool("ffmpeg"));
  csm::test::ScratchDir dir;
  std::vector<std::uint8_t> codes(256);
  for (int c = 0; c < 256; ++c) codes[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c);
  csm::audio::test::write_file(dir.file("codes.raw"), codes);
  for (const char* name : {"mulaw", "alaw"}) {
    const std::string out = dir.file(std::string(name) + ".s16");
    REQUIRE(csm::audio::test::run("ffmpeg -v error -y -f " + std::string(name) +
                                  " -ar 8000 -ac 1 -i " + dir.file("codes.raw") + " -f s16le " +
                                  out)
                .status == 0);
    const std::vector<std::uint8_t> pcm = csm::audio::test::read_file(out);
    REQUIRE(pcm.size() == 512);
    for (int c = 0; c < 256; ++c) {
      const auto theirs = static_cast<std::int16_t>(
          pcm[static_cast<std::size_t>(2 * c)] | (pcm[static_cast<std::size_t>(2 * c + 1)] << 8));
      const auto code = static_cast<std::uint8_t>(c);
      CHECK(theirs == (std::string(name) == "mulaw" ? ulaw_to_linear(code) : alaw_to_linear(code)));
    }
  }
}
