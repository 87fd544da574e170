// audio-convert: decodes an input file the way the server decodes voice prompts (WAV / Ogg
// Opus, or raw PCM with a declared format) to 24 kHz mono, then streams it through one of the
// server's output encoders in 80 ms frames. For checking formats by hand and with other tools.
//
//   audio-convert IN OUT [--format opus|ogg_opus|wav|pcm|mulaw|alaw] [--rate HZ] [--f32]
//                 [--bitrate BPS] [--frame-ms MS] [--complexity N] [--cbr] [--voip]
//                 [--raw-rate HZ --raw-channels N [--raw-f32]]   (IN is headerless PCM)
//
// Raw Opus output (--format opus) is written as 2-byte big-endian length + packet, repeated.
// Exit status: 0 ok, 1 audio or I/O error, 2 usage (the reason is printed). Flags: --help.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "codec/audio/audio_decoder.h"
#include "codec/audio/audio_error.h"
#include "codec/audio/stream_encoder.h"
#include "common/cli/args.h"

namespace {

using namespace csm::audio;

const csm::cli::Tool kTool{
    "audio-convert",
    "usage: audio-convert IN OUT [options]\n"
    "  IN                  WAV or Ogg Opus (or headerless PCM with --raw-rate / --raw-channels)\n"
    "  OUT                 the encoded output\n"
    "  --format F          opus|ogg_opus|wav|pcm|mulaw|alaw (default ogg_opus)\n"
    "  --rate HZ           wav/pcm sample rate: 8000|16000|24000|48000 (default 24000)\n"
    "  --f32               wav/pcm as 32-bit float (default 16-bit)\n"
    "  --bitrate BPS       Opus target bit rate (default 32000)\n"
    "  --frame-ms MS       Opus packet duration: 10|20|40|60|80 (default 20)\n"
    "  --complexity N      Opus complexity 0..10 (default 5)\n"
    "  --cbr               Opus constant bit rate (default constrained VBR)\n"
    "  --voip              Opus application voip (default audio)\n"
    "  --raw-rate HZ       IN is headerless PCM at this rate (default 24000)\n"
    "  --raw-channels N    IN is headerless PCM with N interleaved channels (default 1)\n"
    "  --raw-f32           IN is headerless 32-bit float PCM (default 16-bit)\n"
    "  --help              this text\n",
    {"--format", "--rate", "--bitrate", "--frame-ms", "--complexity", "--raw-rate",
     "--raw-channels"},
    {"--f32", "--cbr", "--voip", "--raw-f32"},
    2,
    2};

struct Args {
  std::string input, output;
  OutputSpec spec;
  bool raw = false;
  RawPcmFormat raw_format;
};

Args parse(const csm::cli::Args& cli) {
  Args args;
  args.input = cli.positionals()[0];
  args.output = cli.positionals()[1];
  try {
    if (cli.has("--format")) args.spec.format = parse_output_format(cli.get("--format"));
  } catch (const AudioError& e) {
    throw csm::cli::UsageError(std::string("--format: ") + e.what());
  }
  // An int flag; the encoder and decoder check the values further.
  auto number = [&](const char* flag, int fallback, int64_t min = 1) {
    return static_cast<int>(cli.get_int(flag, fallback, min, csm::cli::kIntMax));
  };
  auto& spec = args.spec;
  spec.sample_rate = number("--rate", spec.sample_rate);
  if (cli.has("--f32")) spec.sample_format = SampleFormat::F32LE;
  spec.opus.bitrate = number("--bitrate", spec.opus.bitrate);
  spec.opus.frame_ms = number("--frame-ms", spec.opus.frame_ms);
  spec.opus.complexity = number("--complexity", spec.opus.complexity, 0);
  if (cli.has("--cbr")) spec.opus.vbr = false;
  if (cli.has("--voip")) spec.opus.application = "voip";
  auto& raw = args.raw_format;
  args.raw = cli.has("--raw-rate") || cli.has("--raw-channels") || cli.has("--raw-f32");
  raw.sample_rate = number("--raw-rate", raw.sample_rate);
  raw.channels = number("--raw-channels", raw.channels);
  if (cli.has("--raw-f32")) raw.sample_format = SampleFormat::F32LE;
  return args;
}

void write_chunks(std::ofstream& out, const std::vector<Chunk>& chunks, bool packetized) {
  for (const Chunk& c : chunks) {
    if (packetized) {
      const char length[2] = {static_cast<char>(c.size() >> 8), static_cast<char>(c.size() & 0xFF)};
      out.write(length, 2);
    }
    out.write(reinterpret_cast<const char*>(c.data()), static_cast<std::streamsize>(c.size()));
  }
}

int convert(const csm::cli::Args& cli) {
  const Args args = parse(cli);
  try {
    std::ifstream in(args.input, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + args.input);
    const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
    const std::vector<float> samples = args.raw
                                           ? decode_raw_pcm(bytes, args.raw_format, DecodeLimits{})
                                           : decode_audio(bytes, DecodeLimits{});
    const auto encoder = make_stream_encoder(args.spec);
    std::ofstream out(args.output, std::ios::binary);
    write_chunks(out, encode_all(*encoder, samples), encoder->packetized());
    std::cerr << "audio-convert: " << samples.size() << " samples ("
              << static_cast<double>(samples.size()) / kModelSampleRate << " s at 24 kHz) -> "
              << args.output << " [" << encoder->content_type() << "]\n";
    return 0;
  } catch (const AudioError& e) {
    throw std::runtime_error(std::string(reason_name(e.reason())) + ": " + e.what());
  }
}

}  // namespace

int main(int argc, char** argv) {
  return csm::cli::run_tool(kTool, argc, argv, convert);
}
