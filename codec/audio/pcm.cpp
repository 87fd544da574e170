#include "codec/audio/pcm.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "codec/audio/audio_error.h"
#include "codec/audio/byte_io.h"

namespace csm::audio {

int bytes_per_sample(SampleFormat format) { return format == SampleFormat::S16LE ? 2 : 4; }

std::int16_t float_to_s16(float x) {
  if (std::isnan(x)) return 0;
  const float scaled = std::nearbyint(x * 32768.0F);
  if (scaled >= 32767.0F) return 32767;
  if (scaled <= -32768.0F) return -32768;
  return static_cast<std::int16_t>(scaled);
}

void append_clean(std::span<const float> samples, std::vector<float>& out) {
  for (const float x : samples) {
    out.push_back(std::isfinite(x) ? std::clamp(x, -1.0F, 1.0F) : 0.0F);
  }
}

void append_samples(std::span<const float> samples, SampleFormat format,
                    std::vector<std::uint8_t>& out) {
  out.reserve(out.size() + samples.size() * static_cast<std::size_t>(bytes_per_sample(format)));
  for (const float x : samples) {
    if (format == SampleFormat::S16LE) {
      bytes::put_u16(out, static_cast<std::uint16_t>(float_to_s16(x)));
    } else {
      bytes::put_u32(out, std::bit_cast<std::uint32_t>(x));
    }
  }
}

float checked_float_sample(double value, std::size_t index, const char* what) {
  if (!std::isfinite(value) || std::fabs(value) > kMaxFloatSample) {
    char shown[32];
    std::snprintf(shown, sizeof shown, "%g", value);
    throw AudioError(AudioError::Reason::Malformed,
                     std::string(what) + ": float sample " + std::to_string(index) + " is " +
                         shown + "; float audio must be finite and near [-1, 1]");
  }
  return static_cast<float>(std::clamp(value, -1.0, 1.0));
}

std::vector<float> downmix(std::span<const float> interleaved, int channels) {
  if (channels < 1) throw AudioError(AudioError::Reason::Invalid, "downmix: channels < 1");
  if (channels == 1) return {interleaved.begin(), interleaved.end()};
  const std::size_t frames = interleaved.size() / static_cast<std::size_t>(channels);
  std::vector<float> mono(frames);
  const float scale = 1.0F / static_cast<float>(channels);
  for (std::size_t i = 0; i < frames; ++i) {
    float sum = 0.0F;
    for (int c = 0; c < channels; ++c)
      sum += interleaved[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)];
    mono[i] = sum * scale;
  }
  return mono;
}

}  // namespace csm::audio
