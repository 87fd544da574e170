#include <ogg/ogg.h>

#include <algorithm>
#include <cmath>
#include "support/catch.h"

#include "audio_test_support.h"
#include "codec/audio/audio_decoder.h"
#include "codec/audio/audio_error.h"
#include "codec/audio/byte_io.h"
#include "codec/audio/ogg_opus_encoder.h"
#include "codec/audio/pcm.h"
#include "codec/audio/wav_writer.h"
#include "support/paths.h"

using namespace csm::audio;
namespace t = csm::audio::test;
using Reason = AudioError::Reason;

namespace {

Reason reason_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const AudioError& e) {
    UNSCOPED_INFO(e.what());
    return e.reason();
  }
  FAIL("no AudioError thrown");
  return Reason::Invalid;
}

std::vector<std::uint8_t> s16_wav(std::span<const float> samples, int rate) {
  std::vector<std::uint8_t> file = wav_header(SampleFormat::S16LE, rate, 1, samples.size());
  append_samples(samples, SampleFormat::S16LE, file);
  return file;
}

}  // namespace

TEST_CASE("WAV input in every sample format ffmpeg writes decodes to 24 kHz mono",
          "[codec][audio][decode][tools]") {
  REQUIRE(t::have_tool("ffmpeg"));
  csm::test::ScratchDir dir;
  // 1 s of 440 Hz at 44.1 kHz, mono and as identical stereo channels.
  const std::vector<float> mono = t::tone(44100, 1.0, 440.0);
  std::vector<float> stereo;
  for (const float v : mono) stereo.insert(stereo.end(), {v, v});
  for (const int channels : {1, 2}) {
    std::vector<std::uint8_t> raw;
    append_samples(channels == 1 ? mono : stereo, SampleFormat::F32LE, raw);
    t::write_file(dir.file("tone" + std::to_string(channels) + ".f32"), raw);
  }
  for (const std::string codec :
       {"pcm_u8", "pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_f64le"}) {
    for (const int channels : {1, 2}) {
      const std::string ch = std::to_string(channels);
      const std::string out = dir.file(codec + ch + ".wav");
      const auto made = t::run("ffmpeg -v error -y -f f32le -ar 44100 -ac " + ch + " -i " +
                               dir.file("tone" + ch + ".f32") + " -c:a " + codec + " " + out);
      REQUIRE(made.status == 0);
      const std::vector<float> decoded = decode_audio(t::read_file(out), DecodeLimits{});
      CAPTURE(codec, channels);
      CHECK(decoded.size() == 24000);
      CHECK(t::dominant_frequency(decoded, 24000, 300, 600) == Approx(440).margin(1));
      CHECK(t::energy(decoded) / 24000.0 == Approx(0.125).epsilon(0.03));
    }
  }
}

TEST_CASE("Ogg Opus input from opusenc and from our encoder decodes",
          "[codec][audio][decode][tools]") {
  REQUIRE(t::have_tool("opusenc"));
  csm::test::ScratchDir dir;
  const std::vector<float> tone = t::tone(16000, 1.25, 440.0);
  t::write_file(dir.file("in.wav"), s16_wav(tone, 16000));
  REQUIRE(t::run("opusenc --quiet " + dir.file("in.wav") + " " + dir.file("in.opus")).status == 0);
  const std::vector<float> decoded =
      decode_audio(t::read_file(dir.file("in.opus")), DecodeLimits{});
  CHECK(decoded.size() == 30000);
  CHECK(t::dominant_frequency(decoded, 24000, 300, 600) == Approx(440).margin(1));

  OggOpusEncoder ours(OpusOptions{});
  const std::vector<std::uint8_t> file = t::concat(encode_all(ours, t::tone(24000, 0.5, 440.0)));
  CHECK(decode_audio(file, DecodeLimits{}).size() == 12000);
}

TEST_CASE("raw PCM input with a declared format", "[codec][audio][decode]") {
  std::vector<float> stereo;
  for (const float v : t::tone(48000, 0.5, 1000.0)) {
    stereo.push_back(v);
    stereo.push_back(v);
  }
  std::vector<std::uint8_t> bytes;
  append_samples(stereo, SampleFormat::F32LE, bytes);
  const std::vector<float> mono =
      decode_raw_pcm(bytes, {SampleFormat::F32LE, 48000, 2}, DecodeLimits{});
  CHECK(mono.size() == 12000);
  CHECK(t::dominant_frequency(mono, 24000, 800, 1200) == Approx(1000).margin(1));
  CHECK(reason_of([&] {
          decode_raw_pcm(std::span(bytes).first(bytes.size() - 2), {SampleFormat::F32LE, 48000, 2},
                         DecodeLimits{});
        }) == Reason::Malformed);
  CHECK(reason_of([&] { decode_raw_pcm({}, {}, DecodeLimits{}); }) == Reason::Empty);
  CHECK(reason_of([&] {
          decode_raw_pcm(bytes, {SampleFormat::F32LE, 48000, 0}, DecodeLimits{});
        }) == Reason::Unsupported);
  DecodeLimits short_limit;
  short_limit.max_seconds = 0.25;
  CHECK(reason_of([&] {
          decode_raw_pcm(bytes, {SampleFormat::F32LE, 48000, 2}, short_limit);
        }) == Reason::TooLong);
}

TEST_CASE("float audio that is not audio (NaN, infinities, 1e30) is refused, not silenced",
          "[codec][audio][decode]") {
  for (const float bad : {std::nanf(""), INFINITY, -INFINITY, 1e30F, -5.0F}) {
    INFO(bad);
    std::vector<float> samples = t::tone(24000, 0.1, 440.0);
    samples[100] = bad;
    std::vector<std::uint8_t> raw;
    append_samples(samples, SampleFormat::F32LE, raw);
    CHECK(reason_of([&] {
            decode_raw_pcm(raw, {SampleFormat::F32LE, 24000, 1}, DecodeLimits{});
          }) == Reason::Malformed);
    std::vector<std::uint8_t> wav = wav_header(SampleFormat::F32LE, 24000, 1, samples.size());
    wav.insert(wav.end(), raw.begin(), raw.end());
    CHECK(reason_of([&] { decode_audio(wav, DecodeLimits{}); }) == Reason::Malformed);
  }
  // A little over full scale is float audio as real tools write it: clipped, kept.
  std::vector<float> loud = t::tone(24000, 0.1, 440.0);
  loud[10] = 1.5F;
  std::vector<std::uint8_t> raw;
  append_samples(loud, SampleFormat::F32LE, raw);
  const std::vector<float> decoded =
      decode_raw_pcm(raw, {SampleFormat::F32LE, 24000, 1}, DecodeLimits{});
  CHECK(decoded[10] == 1.0F);
}

TEST_CASE("broken, lying and oversized WAV input gives typed errors", "[codec][audio][decode]") {
  const std::vector<std::uint8_t> good = s16_wav(t::tone(24000, 0.1, 440.0), 24000);
  const std::size_t data_size_at = 40;  // 44-byte header: the data chunk's size field
  auto patched = [&](std::size_t offset, std::uint32_t value) {
    std::vector<std::uint8_t> bad = good;
    for (int i = 0; i < 4; ++i)
      bad[offset + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value >> (8 * i));
    return bad;
  };
  const DecodeLimits limits;
  CHECK(decode_audio(good, limits).size() == 2400);
  // Truncated: the data chunk says more than is there; the file ends inside the header.
  CHECK(reason_of([&] { decode_audio(std::span(good).first(good.size() - 100), limits); }) ==
        Reason::Truncated);
  CHECK(reason_of([&] { decode_audio(std::span(good).first(30), limits); }) == Reason::Truncated);
  // Lying and absurd sizes.
  CHECK(reason_of([&] { decode_audio(patched(data_size_at, 0x7FFFFFF0), limits); }) ==
        Reason::Truncated);
  CHECK(reason_of([&] { decode_audio(patched(16, 0xFFFFFFF0), limits); }) ==
        Reason::Truncated);  // fmt size
  CHECK(reason_of([&] { decode_audio(patched(24, 0), limits); }) == Reason::Unsupported);  // rate 0
  CHECK(reason_of([&] { decode_audio(patched(32, 0x00100004), limits); }) ==
        Reason::Malformed);  // block align 4
  // Unsupported codec (format tag 2, MS ADPCM) and a valid header without samples.
  std::vector<std::uint8_t> adpcm = good;
  adpcm[20] = 2;
  CHECK(reason_of([&] { decode_audio(adpcm, limits); }) == Reason::Unsupported);
  CHECK(reason_of([&] { decode_audio(patched(data_size_at, 0), limits); }) == Reason::Empty);
  CHECK(reason_of([&] { decode_audio(std::vector<std::uint8_t>{}, limits); }) == Reason::Empty);
  // Not audio at all.
  const std::string text = "this is not a sound file at all";
  CHECK(reason_of([&] {
          decode_audio(std::vector<std::uint8_t>(text.begin(), text.end()), limits);
        }) == Reason::Unsupported);
  // Limits: size is checked before parsing, duration before allocating.
  DecodeLimits small;
  small.max_bytes = 1024;
  CHECK(reason_of([&] { decode_audio(good, small); }) == Reason::TooLarge);
  DecodeLimits brief;
  brief.max_seconds = 0.05;
  CHECK(reason_of([&] { decode_audio(good, brief); }) == Reason::TooLong);
  // A streamed WAV (unknown sizes) is read to its end.
  CHECK(decode_audio(patched(data_size_at, kWavUnknownSize), limits).size() == 2400);
}

TEST_CASE("broken Ogg input gives typed errors", "[codec][audio][decode]") {
  OggOpusEncoder encoder(OpusOptions{}, 99);
  const std::vector<std::uint8_t> file =
      t::concat(encode_all(encoder, t::speech_like(24000, 1.0)));  // a page per 80 ms
  const DecodeLimits limits;
  REQUIRE(decode_audio(file, limits).size() == 24000);
  // Cut inside the first header page, or before the end of the stream.
  const Reason cut_header = reason_of([&] { decode_audio(std::span(file).first(40), limits); });
  CHECK((cut_header == Reason::Unsupported || cut_header == Reason::Truncated));
  // A stream cut short (no end-of-stream page, the last page partial) plays up to its last
  // complete page, as a live stream would.
  const std::size_t cut_size =
      decode_audio(std::span(file).first(file.size() - 300), limits).size();
  CHECK(cut_size > 12000);
  CHECK(cut_size < 24000);
  // A damaged page in the middle (its checksum no longer matches) leaves a hole.
  std::vector<std::uint8_t> damaged = file;
  for (std::size_t i = file.size() / 2; i < file.size() / 2 + 64; ++i) damaged[i] ^= 0x5A;
  CHECK(reason_of([&] { decode_audio(damaged, limits); }) == Reason::Malformed);
  // Bad granule positions with valid checksums: the first audio page (the third page) ends
  // before its own packets do. (The fuzz target found that libopusfile's seekable open leaks
  // on such input; the reader opens streams forward-only, see ogg_opus_reader.cpp.)
  std::vector<std::uint8_t> bad_granule = file;
  ogg_page page{};
  std::size_t offset = 0;
  for (int i = 0; i < 3; ++i) {
    page.header = bad_granule.data() + offset;
    page.header_len = 27 + page.header[26];
    page.body = page.header + page.header_len;
    page.body_len = 0;
    for (long s = 0; s < page.header[26]; ++s) page.body_len += page.header[27 + s];
    offset += static_cast<std::size_t>(page.header_len + page.body_len);
  }
  REQUIRE(ogg_page_granulepos(&page) == 3840);                      // four 20 ms packets
  for (int i = 0; i < 8; ++i) page.header[6 + i] = i == 0 ? 1 : 0;  // granule position 1
  ogg_page_checksum_set(&page);
  CHECK(reason_of([&] { decode_audio(bad_granule, limits); }) == Reason::Malformed);
  // An Ogg stream that is not Opus (first packet signature changed).
  std::vector<std::uint8_t> other = file;
  const std::string not_opus = "OpusHeaX";
  std::copy(not_opus.begin(), not_opus.end(), other.begin() + 28);
  CHECK(reason_of([&] { decode_audio(other, limits); }) != Reason::Invalid);
  DecodeLimits brief;
  brief.max_seconds = 0.5;
  CHECK(reason_of([&] { decode_audio(file, brief); }) == Reason::TooLong);
}
