#include "support/catch.h"

#include "audio_test_support.h"
#include "codec/audio/audio_error.h"
#include "codec/audio/byte_io.h"
#include "codec/audio/pcm.h"
#include "codec/audio/wav_reader.h"
#include "codec/audio/wav_writer.h"
#include "support/paths.h"

using namespace csm::audio;
namespace t = csm::audio::test;

TEST_CASE("float to s16 rounds and clips", "[codec][audio][pcm]") {
  CHECK(float_to_s16(0.0F) == 0);
  CHECK(float_to_s16(0.5F) == 16384);
  CHECK(float_to_s16(-1.0F) == -32768);
  CHECK(float_to_s16(1.0F) == 32767);
  CHECK(float_to_s16(7.0F) == 32767);
  CHECK(float_to_s16(-7.0F) == -32768);
  CHECK(float_to_s16(std::nanf("")) == 0);
  CHECK(float_to_s16(1.4F / 32768.0F) == 1);
  CHECK(float_to_s16(1.6F / 32768.0F) == 2);
  std::vector<std::uint8_t> bytes;
  append_samples(std::vector<float>{0.5F, -0.5F}, SampleFormat::S16LE, bytes);
  CHECK(bytes == std::vector<std::uint8_t>{0x00, 0x40, 0x00, 0xC0});
  bytes.clear();
  append_samples(std::vector<float>{1.0F}, SampleFormat::F32LE, bytes);
  CHECK(bytes == std::vector<std::uint8_t>{0x00, 0x00, 0x80, 0x3F});
}

TEST_CASE("WAV written whole reads back bit-exact", "[codec][audio][wav]") {
  const std::vector<float> signal = t::chirp(24000, 0.5);
  for (const SampleFormat format : {SampleFormat::S16LE, SampleFormat::F32LE}) {
    std::vector<std::uint8_t> file = wav_header(format, 24000, 1, signal.size());
    append_samples(signal, format, file);
    const std::vector<float> back = decode_wav(file, DecodeLimits{});
    REQUIRE(back.size() == signal.size());
    for (std::size_t i = 0; i < signal.size(); ++i) {
      const float expected =
          format == SampleFormat::F32LE ? signal[i] : s16_to_float(float_to_s16(signal[i]));
      REQUIRE(back[i] == expected);
    }
  }
}

TEST_CASE("patch_wav_sizes turns a streamed WAV into a sized one", "[codec][audio][wav]") {
  for (const SampleFormat format : {SampleFormat::S16LE, SampleFormat::F32LE}) {
    std::vector<std::uint8_t> file = wav_header(format, 16000, 1, std::nullopt);
    const std::size_t header = file.size();
    CHECK(bytes::get_u32(file.data() + 4) == kWavUnknownSize);
    CHECK(bytes::get_u32(file.data() + header - 4) == kWavUnknownSize);
    append_samples(std::vector<float>(1000, 0.25F), format, file);
    patch_wav_sizes(file);
    CHECK(bytes::get_u32(file.data() + 4) == file.size() - 8);
    CHECK(bytes::get_u32(file.data() + header - 4) ==
          1000U * static_cast<unsigned>(bytes_per_sample(format)));
    const WavInfo info = parse_wav(file, DecodeLimits{});
    CHECK(info.frames == 1000);
    CHECK(info.sample_rate == 16000);
  }
  std::vector<std::uint8_t> junk(100, 0);
  CHECK_THROWS_AS(patch_wav_sizes(junk), AudioError);
}

TEST_CASE("ffprobe reads our WAV files and streams", "[codec][audio][wav][tools]") {
  REQUIRE(t::have_tool("ffprobe"));
  csm::test::ScratchDir dir;
  const std::vector<float> signal = t::tone(24000, 1.5, 300.0);
  for (const SampleFormat format : {SampleFormat::S16LE, SampleFormat::F32LE}) {
    const bool is_float = format == SampleFormat::F32LE;
    std::vector<std::uint8_t> sized = wav_header(format, 24000, 1, signal.size());
    append_samples(signal, format, sized);
    std::vector<std::uint8_t> streamed = wav_header(format, 24000, 1, std::nullopt);
    append_samples(signal, format, streamed);
    for (const auto& [name, file] :
         {std::pair{"sized.wav", sized}, std::pair{"streamed.wav", streamed}}) {
      const std::string path = dir.file(name);
      t::write_file(path, file);
      const auto probe = t::ffprobe(path);
      CAPTURE(name, is_float, probe.output);
      REQUIRE(probe.status == 0);
      CHECK(probe.output.find(is_float ? "codec_name=pcm_f32le" : "codec_name=pcm_s16le") !=
            std::string::npos);
      CHECK(probe.output.find("sample_rate=24000") != std::string::npos);
      CHECK(probe.output.find("channels=1") != std::string::npos);
      // Decoding the whole stream with ffmpeg gives every sample back, sized or not.
      const auto decoded =
          t::run("ffmpeg -v error -y -i " + path + " -f s16le -ac 1 -ar 24000 " + path + ".raw");
      REQUIRE(decoded.status == 0);
      CHECK(t::read_file(path + ".raw").size() == signal.size() * 2);
    }
    const auto probe = t::run("ffprobe -v error -show_entries format=duration -of csv=p=0 " +
                              dir.file("sized.wav"));
    CHECK(std::stod(probe.output) == Approx(1.5).margin(1e-3));
  }
}
