// libFuzzer target for the input decoders: WAV, Ogg Opus (through decode_audio's signature
// sniffing) and raw PCM with a format taken from the input's first byte. Any exception other
// than AudioError, any sanitizer report, leak or crash is a finding.
// Built and run by run-fuzz.sh (clang++ -fsanitize=fuzzer,address,undefined); the .cc suffix
// keeps it out of the Catch2 test binary, whose sources are tests/codec/**/*.cpp.
#include <cstddef>
#include <cstdint>
#include <span>

#include "codec/audio/audio_decoder.h"
#include "codec/audio/audio_error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace csm::audio;
  DecodeLimits limits;
  limits.max_bytes = 1 << 20;
  limits.max_seconds = 5.0;  // keeps single inputs fast; the checks are the same
  const std::span<const std::uint8_t> bytes(data, size);
  try {
    decode_audio(bytes, limits);
  } catch (const AudioError&) {
  }
  if (size > 1) {
    RawPcmFormat format;
    format.sample_format = (data[0] & 1) != 0 ? SampleFormat::F32LE : SampleFormat::S16LE;
    format.channels = 1 + ((data[0] >> 1) & 7);
    constexpr int kRates[] = {8000, 11025, 16000, 22050, 24000, 44100, 48000, 96000};
    format.sample_rate = kRates[(data[0] >> 4) & 7];
    try {
      decode_raw_pcm(bytes.subspan(1), format, limits);
    } catch (const AudioError&) {
    }
  }
  return 0;
}
