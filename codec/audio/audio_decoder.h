// Entry point for input audio (voice prompts, conversation context): bytes in, 24 kHz mono
// float samples out, within DecodeLimits. WAV and Ogg Opus are recognised by their
// signatures; raw PCM carries no header, so its format must be declared.
// Errors: AudioError with a Reason (see audio_error.h); nothing else escapes.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "codec/audio/decode_limits.h"
#include "codec/audio/pcm.h"

namespace csm::audio {

struct RawPcmFormat {
  SampleFormat sample_format = SampleFormat::S16LE;
  int sample_rate = kModelSampleRate;  // Hz, [1000, 768000]
  int channels = 1;                    // interleaved, 1..8
};

// WAV ("RIFF....WAVE") or Ogg Opus ("OggS"); anything else is AudioError(Unsupported).
std::vector<float> decode_audio(std::span<const std::uint8_t> data, const DecodeLimits& limits);

// Headerless interleaved samples in the declared format. A trailing partial frame is an error
// (Malformed): it means the declared format is wrong.
std::vector<float> decode_raw_pcm(std::span<const std::uint8_t> data, const RawPcmFormat& format,
                                  const DecodeLimits& limits);

}  // namespace csm::audio
