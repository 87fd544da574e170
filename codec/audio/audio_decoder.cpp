#include "codec/audio/audio_decoder.h"

#include <bit>
#include <cmath>
#include <string>

#include "codec/audio/audio_error.h"
#include "codec/audio/byte_io.h"
#include "codec/audio/ogg_opus_reader.h"
#include "codec/audio/pcm.h"
#include "codec/audio/resampler.h"
#include "codec/audio/wav_reader.h"

namespace csm::audio {

std::vector<float> decode_audio(std::span<const std::uint8_t> data, const DecodeLimits& limits) {
  check_input_size(data.size(), limits, "audio");
  if (data.empty()) throw AudioError(AudioError::Reason::Empty, "audio: no bytes");
  if (data.size() >= 12 && bytes::tag_is(data.data(), "RIFF") &&
      bytes::tag_is(data.data() + 8, "WAVE")) {
    return decode_wav(data, limits);
  }
  if (data.size() >= 4 && bytes::tag_is(data.data(), "OggS")) return decode_ogg_opus(data, limits);
  throw AudioError(AudioError::Reason::Unsupported,
                   "audio: neither WAV nor Ogg Opus (raw PCM needs a declared format)");
}

std::vector<float> decode_raw_pcm(std::span<const std::uint8_t> data, const RawPcmFormat& format,
                                  const DecodeLimits& limits) {
  check_input_size(data.size(), limits, "pcm");
  if (format.channels < 1 || format.channels > 8 || format.sample_rate < 1000 ||
      format.sample_rate > 768000) {
    throw AudioError(AudioError::Reason::Unsupported,
                     "pcm: " + std::to_string(format.channels) + " channels at " +
                         std::to_string(format.sample_rate) + " Hz");
  }
  const auto width = static_cast<std::size_t>(bytes_per_sample(format.sample_format));
  const std::size_t block = width * static_cast<std::size_t>(format.channels);
  if (data.size() % block != 0) {
    throw AudioError(AudioError::Reason::Malformed, "pcm: " + std::to_string(data.size()) +
                                                        " bytes is not a whole number of " +
                                                        std::to_string(block) + "-byte frames");
  }
  const std::size_t frames = data.size() / block;
  if (frames == 0) throw AudioError(AudioError::Reason::Empty, "pcm: no samples");
  check_duration(frames, format.sample_rate, limits, "pcm");
  std::vector<float> interleaved(frames * static_cast<std::size_t>(format.channels));
  for (std::size_t i = 0; i < interleaved.size(); ++i) {
    const std::uint8_t* p = data.data() + i * width;
    if (format.sample_format == SampleFormat::S16LE) {
      interleaved[i] = s16_to_float(static_cast<std::int16_t>(bytes::get_u16(p)));
    } else {
      interleaved[i] = checked_float_sample(std::bit_cast<float>(bytes::get_u32(p)), i, "pcm");
    }
  }
  const std::vector<float> mono = downmix(interleaved, format.channels);
  if (format.sample_rate == kModelSampleRate) return mono;
  return resample(mono, format.sample_rate, kModelSampleRate);
}

}  // namespace csm::audio
