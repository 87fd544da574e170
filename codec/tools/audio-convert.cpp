// audio-convert: decodes an input file the way the server decodes voice prompts (WAV / Ogg
// Opus, or raw PCM with a declared format) to 24 kHz mono, then streams it through one of the
// server's output encoders in 80 ms frames. For checking formats by hand and with other tools.
//
//   audio-convert IN OUT [--format opus|ogg_opus|wav|pcm|mulaw|alaw] [--rate HZ] [--f32]
//                 [--bitrate BPS] [--frame-ms MS] [--complexity N] [--cbr] [--voip]
//                 [--raw-rate HZ --raw-channels N [--raw-f32]]   (IN is headerless PCM)
//
// Raw Opus output (--format opus) is written as 2-byte big-endian length + packet, repeated.
// Exit status: 0 ok, 1 usage, 2 audio error (the reason is printed).
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

namespace {

using namespace csm::audio;

struct Args {
  std::string input, output;
  OutputSpec spec;
  bool raw = false;
  RawPcmFormat raw_format;
};

int usage() {
  std::cerr << "usage: audio-convert IN OUT [--format F] [--rate HZ] [--f32] [--bitrate BPS]\n"
               "       [--frame-ms MS] [--complexity N] [--cbr] [--voip]\n"
               "       [--raw-rate HZ --raw-channels N [--raw-f32]]\n";
  return 1;
}

bool parse(int argc, char** argv, Args& args) {
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument("missing value for " + a);
      return argv[++i];
    };
    if (a == "--format")
      args.spec.format = parse_output_format(value());
    else if (a == "--rate")
      args.spec.sample_rate = std::stoi(value());
    else if (a == "--f32")
      args.spec.sample_format = SampleFormat::F32LE;
    else if (a == "--bitrate")
      args.spec.opus.bitrate = std::stoi(value());
    else if (a == "--frame-ms")
      args.spec.opus.frame_ms = std::stoi(value());
    else if (a == "--complexity")
      args.spec.opus.complexity = std::stoi(value());
    else if (a == "--cbr")
      args.spec.opus.vbr = false;
    else if (a == "--voip")
      args.spec.opus.application = "voip";
    else if (a == "--raw-rate") {
      args.raw = true;
      args.raw_format.sample_rate = std::stoi(value());
    } else if (a == "--raw-channels") {
      args.raw = true;
      args.raw_format.channels = std::stoi(value());
    } else if (a == "--raw-f32") {
      args.raw = true;
      args.raw_format.sample_format = SampleFormat::F32LE;
    } else if (a.starts_with("--"))
      throw std::invalid_argument("unknown option " + a);
    else
      positional.push_back(a);
  }
  if (positional.size() != 2) return false;
  args.input = positional[0];
  args.output = positional[1];
  return true;
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

}  // namespace

int main(int argc, char** argv) {
  Args args;
  try {
    if (!parse(argc, argv, args)) return usage();
  } catch (const std::exception& e) {
    std::cerr << "audio-convert: " << e.what() << "\n";
    return usage();
  }
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
    std::cerr << "audio-convert: " << reason_name(e.reason()) << ": " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "audio-convert: " << e.what() << "\n";
    return 2;
  }
}
