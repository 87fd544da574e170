#include <opus/opus.h>
#include <opus/opusfile.h>

#include <regex>
#include "support/catch.h"

#include "audio_test_support.h"
#include "codec/audio/audio_error.h"
#include "codec/audio/ogg_opus_encoder.h"
#include "codec/audio/ogg_opus_reader.h"
#include "codec/audio/opus_packet_encoder.h"
#include "codec/audio/opus_stream_encoder.h"
#include "codec/audio/wav_reader.h"
#include "support/paths.h"

using namespace csm::audio;
namespace t = csm::audio::test;

namespace {

// Decodes raw packets with libopus at 24 kHz and drops the pre-skip.
std::vector<float> decode_packets(const std::vector<Chunk>& packets, int pre_skip_48k) {
  int error = 0;
  OpusDecoder* decoder = opus_decoder_create(24000, 1, &error);
  REQUIRE(error == OPUS_OK);
  std::vector<float> out;
  std::vector<float> buffer(5760);
  for (const Chunk& p : packets) {
    const int n = opus_decode_float(decoder, p.data(), static_cast<opus_int32>(p.size()),
                                    buffer.data(), static_cast<int>(buffer.size()), 0);
    REQUIRE(n > 0);
    out.insert(out.end(), buffer.begin(), buffer.begin() + n);
  }
  opus_decoder_destroy(decoder);
  const auto skip = static_cast<std::size_t>(pre_skip_48k / 2);
  REQUIRE(out.size() >= skip);
  return {out.begin() + static_cast<std::ptrdiff_t>(skip), out.end()};
}

// A length that is not a multiple of the model frame or of any packet size.
constexpr double kSeconds = 2.0 + 777.0 / 24000.0;

}  // namespace

// Mean energy per 20 ms block, in dB.
std::vector<double> envelope_db(std::span<const float> x) {
  std::vector<double> out;
  for (std::size_t i = 0; i + 480 <= x.size(); i += 480) {
    out.push_back(10 * std::log10(t::energy(x.subspan(i, 480)) / 480 + 1e-10));
  }
  return out;
}

TEST_CASE("raw Opus round trip keeps every sample after the pre-skip", "[codec][audio][opus]") {
  struct Case {
    const char* name;
    std::vector<float> signal;
    double snr_floor_db;  // waveform SNR in "audio" mode at 48 kb/s (measured: see report)
  };
  const std::vector<Case> cases = {{"chirp", t::chirp(24000, kSeconds, 100, 6000), 20.0},
                                   {"speech-like", t::speech_like(24000, kSeconds), 12.0}};
  for (const Case& c : cases) {
    for (const int frame_ms : {10, 20, 40, 60, 80}) {
      for (const std::string application : {"audio", "voip"}) {
        OpusOptions options;
        options.frame_ms = frame_ms;
        options.bitrate = 48000;
        options.application = application;
        OpusStreamEncoder encoder(options);
        CHECK(encoder.packetized());
        const std::vector<Chunk> packets = encode_all(encoder, c.signal);
        const std::size_t packet_samples = static_cast<std::size_t>(24 * frame_ms);
        const std::vector<float> decoded = decode_packets(packets, encoder.pre_skip_48k());
        CAPTURE(c.name, frame_ms, application, decoded.size(), c.signal.size());
        // All input is there, and less than one packet of padding after it.
        CHECK(decoded.size() >= c.signal.size());
        CHECK(decoded.size() < c.signal.size() + packet_samples);
        const std::span<const float> aligned =
            std::span<const float>(decoded).first(c.signal.size());
        if (application == "audio") {
          const double snr = t::snr_db(c.signal, aligned);
          CAPTURE(snr);
          CHECK(snr > c.snr_floor_db);
        }
        // Both modes: the loudness contour matches block by block, to the last 20 ms that
        // finish() had to flush.
        const std::vector<double> want = envelope_db(c.signal);
        const std::vector<double> got = envelope_db(aligned);
        REQUIRE(got.size() == want.size());
        for (std::size_t b = 1; b < want.size(); ++b) {
          if (want[b] > -30) CHECK(got[b] == Approx(want[b]).margin(3.0));
        }
      }
    }
  }
}

TEST_CASE("a frame of NaN and infinities does not break the Opus stream", "[codec][audio][opus]") {
  std::vector<float> signal = t::chirp(24000, 2.0, 100, 3000);
  std::vector<float> input = signal;
  for (std::size_t i = 1920 * 5; i < 1920 * 6; ++i) {
    input[i] = i % 3 == 0 ? std::nanf("") : (i % 3 == 1 ? INFINITY : -INFINITY);
  }
  OpusStreamEncoder encoder(OpusOptions{});
  const std::vector<float> decoded =
      decode_packets(encode_all(encoder, input), encoder.pre_skip_48k());
  REQUIRE(decoded.size() >= signal.size());
  for (const float v : decoded) REQUIRE(std::isfinite(v));
  // From 80 ms after the bad frame on, the audio is the chirp again.
  const std::size_t from = 1920 * 7;
  CHECK(t::snr_db(std::span<const float>(signal).subspan(from),
                  std::span<const float>(decoded).subspan(from, signal.size() - from)) > 15.0);
}

TEST_CASE("Opus options are validated", "[codec][audio][opus]") {
  OpusOptions options;
  options.frame_ms = 30;
  CHECK_THROWS_AS(OpusPacketEncoder(options), csm::config::ConfigError);
  options.frame_ms = 20;
  options.application = "music";
  CHECK_THROWS_AS(OpusPacketEncoder(options), csm::config::ConfigError);
  options.application = "audio";
  options.vbr = false;
  options.bitrate = 24000;
  OpusStreamEncoder cbr(options);
  const std::vector<Chunk> packets = encode_all(cbr, t::speech_like(24000, 1.0));
  // CBR: every packet has the same size, bitrate * 20 ms / 8 bits.
  for (const Chunk& p : packets) CHECK(p.size() == 60);
  CHECK_THROWS_AS(cbr.encode(std::vector<float>(1920)), AudioError);
}

TEST_CASE("Ogg Opus stream decodes to exactly the input length", "[codec][audio][ogg]") {
  const std::vector<float> signal = t::chirp(24000, kSeconds, 100, 6000);
  OggOpusEncoder encoder(OpusOptions{}, 1234);
  std::vector<Chunk> chunks;
  for (std::size_t i = 0; i < signal.size(); i += kModelFrameSamples) {
    const std::size_t n = std::min<std::size_t>(kModelFrameSamples, signal.size() - i);
    std::vector<Chunk> out = encoder.encode(std::span<const float>(signal).subspan(i, n));
    // Pages are flushed as frames arrive: every whole 80 ms frame yields a page at once.
    if (n == kModelFrameSamples) {
      REQUIRE(out.size() == 1);
      REQUIRE(out[0].size() > 27);
      CHECK(std::string(out[0].begin(), out[0].begin() + 4) == "OggS");
    }
    for (Chunk& c : out) chunks.push_back(std::move(c));
  }
  for (Chunk& c : encoder.finish()) chunks.push_back(std::move(c));
  CHECK(encoder.finish().empty());
  const std::vector<std::uint8_t> file = t::concat(chunks);

  int error = 0;
  OggOpusFile* of = op_open_memory(file.data(), file.size(), &error);
  REQUIRE(of != nullptr);
  CHECK(op_pcm_total(of, -1) == static_cast<ogg_int64_t>(signal.size() * 2));
  CHECK(static_cast<int>(op_head(of, -1)->pre_skip) == encoder.pre_skip_48k());
  CHECK(op_head(of, -1)->input_sample_rate == 24000);
  op_free(of);

  const std::vector<float> decoded = decode_ogg_opus(file, DecodeLimits{});
  REQUIRE(decoded.size() == signal.size());
  // Through a 48 kHz decode and a resample back the waveform still matches.
  CHECK(t::snr_db(signal, decoded) > 10.0);
}

TEST_CASE("opusinfo, ffprobe and opusdec accept our Ogg Opus", "[codec][audio][ogg][tools]") {
  REQUIRE(t::have_tool("opusinfo"));
  REQUIRE(t::have_tool("opusdec"));
  REQUIRE(t::have_tool("ffprobe"));
  csm::test::ScratchDir dir;
  const std::vector<float> signal = t::speech_like(24000, kSeconds);
  OggOpusEncoder encoder(OpusOptions{});
  const std::string path = dir.file("speech.opus");
  t::write_file(path, t::concat(encode_all(encoder, signal)));
  const double seconds = static_cast<double>(signal.size()) / 24000.0;

  const auto info = t::run("opusinfo " + path);
  CAPTURE(info.output);
  REQUIRE(info.status == 0);
  CHECK(info.output.find("WARNING") == std::string::npos);
  CHECK(info.output.find("ERROR") == std::string::npos);
  std::smatch m;
  REQUIRE(std::regex_search(info.output, m, std::regex(R"(Playback length: (\d+)m:([\d.]+)s)")));
  CHECK(std::stod(m[1]) * 60 + std::stod(m[2]) == Approx(seconds).margin(0.001));

  const auto probe = t::ffprobe(path);
  CAPTURE(probe.output);
  REQUIRE(probe.status == 0);
  CHECK(probe.output.find("codec_name=opus") != std::string::npos);
  CHECK(probe.output.find("sample_rate=48000") != std::string::npos);
  CHECK(probe.output.find("channels=1") != std::string::npos);
  // ffprobe's duration is the last granule position over 48 kHz, pre-skip included (it reports
  // opusenc's files the same way).
  REQUIRE(std::regex_search(probe.output, m, std::regex(R"(duration=([\d.]+))")));
  CHECK(std::stod(m[1]) == Approx(seconds + encoder.pre_skip_48k() / 48000.0).margin(1e-5));

  const auto dec = t::run("opusdec --quiet --rate 48000 " + path + " " + dir.file("out.wav"));
  REQUIRE(dec.status == 0);
  // opusdec applies the pre-skip and end trim: exactly twice the 24 kHz sample count.
  const std::vector<std::uint8_t> wav = t::read_file(dir.file("out.wav"));
  const WavInfo decoded = parse_wav(wav, DecodeLimits{});
  CHECK(decoded.sample_rate == 48000);
  CHECK(decoded.frames == signal.size() * 2);
}
