// Reads RIFF WAVE input: PCM 8/16/24/32-bit integer and 32/64-bit float (plain or
// WAVE_FORMAT_EXTENSIBLE), any rate in [1000, 768000] Hz, 1..8 channels (averaged to mono),
// resampled to 24 kHz. A data chunk size of 0xFFFFFFFF means "to the end" (streaming
// convention, see wav_writer.h); any other size larger than the bytes present is an error.
// Every failure is an AudioError with a Reason; nothing is allocated beyond the limits.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "codec/audio/decode_limits.h"

namespace csm::audio {

struct WavInfo {
  bool is_float = false;
  int channels = 0;
  int sample_rate = 0;
  int bits = 0;                 // container bits per sample
  std::size_t data_offset = 0;  // first byte of the samples in the file
  std::uint64_t frames = 0;     // whole sample frames present
};

// Validates the header and locates the samples. Checks the byte limit only.
WavInfo parse_wav(std::span<const std::uint8_t> file, const DecodeLimits& limits);

// The whole file as 24 kHz mono float samples.
std::vector<float> decode_wav(std::span<const std::uint8_t> file, const DecodeLimits& limits);

}  // namespace csm::audio
