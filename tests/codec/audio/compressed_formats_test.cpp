// MP3, FLAC and AAC (ADTS) streams: checked with ffprobe and decoded back with ffmpeg, which
// share no code with the encoders (LAME, libFLAC, libavcodec's encoder).
#include <cstring>
#include <limits>
#include <regex>
#include "support/catch.h"

#include "audio_test_support.h"
#include "codec/audio/audio_error.h"
#include "codec/audio/pcm.h"
#include "codec/audio/stream_encoder.h"
#include "support/paths.h"

using namespace csm::audio;
namespace t = csm::audio::test;

namespace {

struct Format {
  OutputFormat format;
  const char* codec_name;    // ffprobe's
  const char* content_type;  // ours
  const char* extension;     // for ffmpeg's probing
};
constexpr Format kFormats[] = {
    {OutputFormat::Mp3, "mp3", "audio/mpeg", "mp3"},
    {OutputFormat::Flac, "flac", "audio/flac", "flac"},
    {OutputFormat::Aac, "aac", "audio/aac", "aac"},
};

struct Streamed {
  std::vector<std::uint8_t> bytes;
  std::size_t calls_with_output = 0;  // encode() calls that returned bytes
  std::size_t finish_bytes = 0;       // what finish() returned
};

std::unique_ptr<StreamEncoder> encoder_for(OutputFormat format) {
  OutputSpec spec;
  spec.format = format;
  return make_stream_encoder(spec);
}

// Feeds `signal` in 80 ms frames, then finishes.
Streamed stream(StreamEncoder& encoder, std::span<const float> signal) {
  Streamed s;
  for (std::size_t i = 0; i < signal.size(); i += kModelFrameSamples) {
    const std::size_t n = std::min<std::size_t>(kModelFrameSamples, signal.size() - i);
    const std::vector<Chunk> chunks = encoder.encode(signal.subspan(i, n));
    REQUIRE(chunks.size() <= 1);  // a byte stream: one chunk per call at most
    if (!chunks.empty()) {
      REQUIRE(!chunks[0].empty());
      ++s.calls_with_output;
      s.bytes.insert(s.bytes.end(), chunks[0].begin(), chunks[0].end());
    }
  }
  const std::vector<Chunk> tail = encoder.finish();
  REQUIRE(tail.size() <= 1);
  for (const Chunk& c : tail) {
    s.finish_bytes = c.size();
    s.bytes.insert(s.bytes.end(), c.begin(), c.end());
  }
  return s;
}

// ffmpeg's decode of `path` as 24 kHz mono float.
std::vector<float> decode_with_ffmpeg(const std::string& path) {
  const auto decoded =
      t::run("ffmpeg -v error -y -i " + path + " -f f32le -ac 1 -ar 24000 " + path + ".raw");
  CAPTURE(decoded.output);
  REQUIRE(decoded.status == 0);
  const std::vector<std::uint8_t> raw = t::read_file(path + ".raw");
  std::vector<float> samples(raw.size() / sizeof(float));
  std::memcpy(samples.data(), raw.data(), samples.size() * sizeof(float));
  return samples;
}

// The decoded span that surely holds the tone: without the first and last 200 ms, which take
// in the codecs' start-up delay (silence, up to 1105 samples) and the padded last frame.
std::span<const float> middle(std::span<const float> decoded) {
  constexpr std::size_t kSkip = 4800;
  REQUIRE(decoded.size() > 2 * kSkip);
  return decoded.subspan(kSkip, decoded.size() - 2 * kSkip);
}

// How much of x is a sine of `hz`: the correlation of x with the sine of that frequency fitted
// to it (amplitude and phase), in [0, 1].
double sine_correlation(std::span<const float> x, int rate, double hz) {
  double sc = 0, cc = 0, ss = 0, xx = 0, s2 = 0, c2 = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double w = 2 * t::kPi * hz * static_cast<double>(i) / rate;
    const double s = std::sin(w), c = std::cos(w);
    sc += x[i] * s;
    cc += x[i] * c;
    xx += static_cast<double>(x[i]) * x[i];
    s2 += s * s;
    c2 += c * c;
    ss += s * c;
  }
  // Least squares fit a sin + b cos; correlation = |fit| / |x|.
  const double det = s2 * c2 - ss * ss;
  const double a = (sc * c2 - cc * ss) / det;
  const double b = (cc * s2 - sc * ss) / det;
  const double fit_energy = a * sc + b * cc;
  return std::sqrt(std::max(0.0, fit_energy) / xx);
}

}  // namespace

TEST_CASE("mp3, flac and aac have names and content types", "[codec][audio][compressed]") {
  for (const Format& f : kFormats) {
    CHECK(parse_output_format(f.extension) == f.format);
    CHECK(output_format_name(f.format) == f.extension);
    CHECK(encoder_for(f.format)->content_type() == f.content_type);
    CHECK_FALSE(encoder_for(f.format)->packetized());
  }
}

TEST_CASE("mp3, flac and aac stream while encoding and end cleanly", "[codec][audio][compressed]") {
  const std::vector<float> signal = t::tone(24000, 2.0, 440.0);
  for (const Format& f : kFormats) {
    CAPTURE(f.extension);
    auto encoder = encoder_for(f.format);
    const Streamed s = stream(*encoder, signal);
    // 25 calls of 80 ms: all but the first few return bytes, and most of the stream is out
    // before finish() (which holds at most a few codec frames).
    CHECK(s.calls_with_output >= 22);
    CHECK(s.finish_bytes > 0);
    CHECK(s.finish_bytes < s.bytes.size() / 4);
    CHECK(encoder->finish().empty());  // a second finish returns nothing
    try {
      encoder->encode(signal);
      FAIL("encode after finish did not throw");
    } catch (const AudioError& e) {
      CHECK(e.reason() == AudioError::Reason::Invalid);
    }
  }
}

TEST_CASE("an mp3, flac or aac stream without audio still ends", "[codec][audio][compressed]") {
  for (const Format& f : kFormats) {
    CAPTURE(f.extension);
    auto encoder = encoder_for(f.format);
    CHECK(encoder->encode({}).size() <= 1);
    CHECK_NOTHROW(encoder->finish());
    CHECK(encoder->finish().empty());
  }
}

TEST_CASE("bad samples do not break mp3, flac or aac streams", "[codec][audio][compressed]") {
  std::vector<float> signal = t::tone(24000, 0.5, 440.0);
  signal[100] = std::numeric_limits<float>::quiet_NaN();
  signal[200] = std::numeric_limits<float>::infinity();
  signal[300] = 7.0F;
  for (const Format& f : kFormats) {
    CAPTURE(f.extension);
    auto encoder = encoder_for(f.format);
    CHECK(stream(*encoder, signal).bytes.size() > 100);
  }
}

TEST_CASE("ffprobe and ffmpeg read our mp3, flac and aac streams as the tone we coded",
          "[codec][audio][compressed][tools]") {
  REQUIRE(t::have_tool("ffprobe"));
  REQUIRE(t::have_tool("ffmpeg"));
  csm::test::ScratchDir dir;
  const std::vector<float> signal = t::tone(24000, 2.0, 440.0);
  for (const Format& f : kFormats) {
    CAPTURE(f.extension);
    auto encoder = encoder_for(f.format);
    const std::string path = dir.file(std::string("tone.") + f.extension);
    t::write_file(path, stream(*encoder, signal).bytes);

    const auto probe = t::ffprobe(path, ",profile");
    CAPTURE(probe.output);
    REQUIRE(probe.status == 0);
    CHECK(probe.output.find(std::string("codec_name=") + f.codec_name) != std::string::npos);
    CHECK(probe.output.find("sample_rate=24000") != std::string::npos);
    CHECK(probe.output.find("channels=1") != std::string::npos);
    if (f.format == OutputFormat::Aac) CHECK(probe.output.find("profile=LC") != std::string::npos);
    // No header states the length (no Xing tag, ADTS, a streamed FLAC's total of 0). ffprobe
    // estimates it from the bitrate for mp3 and aac (the codecs also add their start-up delay
    // and pad the last frame) and reports none for flac; the decode below counts samples.
    if (f.format == OutputFormat::Flac) {
      CHECK(probe.output.find("duration=N/A") != std::string::npos);
    } else {
      std::smatch m;
      REQUIRE(std::regex_search(probe.output, m, std::regex(R"(duration=([\d.]+))")));
      CHECK(std::stod(m[1]) == Approx(2.0).margin(0.2));
    }

    const std::vector<float> decoded = decode_with_ffmpeg(path);
    // Every input sample is there, plus at most the codec's delay and a padded last frame.
    CHECK(decoded.size() >= signal.size());
    CHECK(decoded.size() <= signal.size() + 4096);
    const std::span<const float> tone = middle(decoded);
    CHECK(t::dominant_frequency(tone, 24000, 300, 600) == Approx(440).margin(1));
    CHECK(sine_correlation(tone, 24000, 440.0) > 0.99);
    // The level survives within 1 dB (a 0.5 amplitude sine has mean energy 0.125; LAME at
    // 64 kbit/s gives this tone back 0.45 dB lower, as it does through ffmpeg's libmp3lame).
    const double level_db = 10 * std::log10(t::energy(tone) / tone.size() / 0.125);
    CHECK(std::abs(level_db) < 1.0);
  }
}

TEST_CASE("flac is lossless for the s16 samples", "[codec][audio][compressed][tools]") {
  REQUIRE(t::have_tool("ffmpeg"));
  csm::test::ScratchDir dir;
  const std::vector<float> signal = t::speech_like(24000, 1.0 + 777.0 / 24000.0);
  auto encoder = encoder_for(OutputFormat::Flac);
  const std::string path = dir.file("speech.flac");
  t::write_file(path, stream(*encoder, signal).bytes);
  const auto decoded = t::run("ffmpeg -v error -y -i " + path + " -f s16le " + path + ".raw");
  REQUIRE(decoded.status == 0);
  std::vector<std::uint8_t> expected;
  append_samples(signal, SampleFormat::S16LE, expected);
  CHECK(t::read_file(path + ".raw") == expected);
}
