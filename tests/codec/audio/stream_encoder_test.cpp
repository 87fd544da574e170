#include "codec/audio/stream_encoder.h"

#include "support/catch.h"

#include "audio_test_support.h"
#include "codec/audio/audio_decoder.h"
#include "codec/audio/audio_error.h"
#include "codec/audio/g711.h"
#include "codec/audio/resampler.h"

using namespace csm::audio;
namespace t = csm::audio::test;

namespace {

// Streams `signal` in 80 ms frames; returns the concatenated byte stream.
std::vector<std::uint8_t> stream(StreamEncoder& encoder, std::span<const float> signal) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < signal.size(); i += kModelFrameSamples) {
    const std::size_t n = std::min<std::size_t>(kModelFrameSamples, signal.size() - i);
    const std::vector<Chunk> chunks = encoder.encode(signal.subspan(i, n));
    CHECK(chunks.size() <= 1);  // byte streams: one chunk per call at most
    for (const Chunk& c : chunks) out.insert(out.end(), c.begin(), c.end());
  }
  for (const Chunk& c : encoder.finish()) out.insert(out.end(), c.begin(), c.end());
  return out;
}

}  // namespace

TEST_CASE("output format names round trip", "[codec][audio][stream]") {
  for (const char* name :
       {"opus", "ogg_opus", "wav", "pcm", "mulaw", "alaw", "mp3", "flac", "aac"}) {
    CHECK(output_format_name(parse_output_format(name)) == name);
  }
  CHECK_THROWS_AS(parse_output_format("vorbis"), AudioError);
}

TEST_CASE("PCM and WAV streams at every rate carry the whole signal", "[codec][audio][stream]") {
  const std::vector<float> signal = t::tone(24000, 1.0 + 500.0 / 24000.0, 440.0);
  for (const int rate : {8000, 16000, 24000, 48000}) {
    for (const SampleFormat format : {SampleFormat::S16LE, SampleFormat::F32LE}) {
      OutputSpec spec;
      spec.format = OutputFormat::Pcm;
      spec.sample_format = format;
      spec.sample_rate = rate;
      auto pcm = make_stream_encoder(spec);
      const std::vector<std::uint8_t> raw = stream(*pcm, signal);
      const std::size_t expected =
          static_cast<std::size_t>(std::llround(static_cast<double>(signal.size()) * rate / 24000));
      CAPTURE(rate, format == SampleFormat::F32LE);
      CHECK(raw.size() == expected * static_cast<std::size_t>(bytes_per_sample(format)));
      const std::vector<float> back = decode_raw_pcm(raw, {format, rate, 1}, DecodeLimits{});
      CHECK(t::dominant_frequency(back, 24000, 300, 600) == Approx(440).margin(1));

      spec.format = OutputFormat::Wav;
      auto wav = make_stream_encoder(spec);
      CHECK(wav->content_type() == "audio/wav");
      const std::vector<float> from_wav = decode_audio(stream(*wav, signal), DecodeLimits{});
      CHECK(from_wav.size() == back.size());
    }
  }
}

TEST_CASE("G.711 streams are 8 kHz bytes of the right law", "[codec][audio][stream][g711]") {
  const std::vector<float> signal = t::tone(24000, 1.0, 440.0);
  for (const OutputFormat format : {OutputFormat::MuLaw, OutputFormat::ALaw}) {
    OutputSpec spec;
    spec.format = format;
    auto encoder = make_stream_encoder(spec);
    const std::vector<std::uint8_t> bytes = stream(*encoder, signal);
    REQUIRE(bytes.size() == 8000);
    std::vector<float> decoded;
    for (const std::uint8_t b : bytes) {
      decoded.push_back(
          s16_to_float(format == OutputFormat::MuLaw ? ulaw_to_linear(b) : alaw_to_linear(b)));
    }
    CHECK(t::dominant_frequency(decoded, 8000, 300, 600) == Approx(440).margin(1));
    CHECK(t::snr_db(resample(signal, 24000, 8000), decoded) > 30.0);  // G.711 gives ~38 dB
  }
  CHECK(
      make_stream_encoder({OutputFormat::MuLaw, SampleFormat::S16LE, 24000, {}})->content_type() ==
      "audio/basic");
}

TEST_CASE("stream encoders refuse input after finish and impossible specs",
          "[codec][audio][stream]") {
  for (const char* name : {"opus", "ogg_opus", "wav", "pcm", "mulaw", "alaw"}) {
    OutputSpec spec;
    spec.format = parse_output_format(name);
    auto encoder = make_stream_encoder(spec);
    CAPTURE(name);
    // Formats with a header or a codec tail have bytes to give even for an empty turn.
    const bool has_bytes = spec.format == OutputFormat::Opus ||
                           spec.format == OutputFormat::OggOpus || spec.format == OutputFormat::Wav;
    CHECK(encoder->finish().empty() == !has_bytes);
    CHECK(encoder->finish().empty());
    CHECK_THROWS_AS(encoder->encode(std::vector<float>(1920)), AudioError);
  }
  OutputSpec bad;
  bad.format = OutputFormat::Pcm;
  bad.sample_rate = 96000;
  CHECK_THROWS_AS(make_stream_encoder(bad), AudioError);
}
