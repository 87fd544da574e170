// PCM sample conversions between the model's float samples and the integer / byte forms that
// the output formats carry. Float samples are nominally in [-1, 1]; values outside are clipped
// when converted to integers (never wrapped).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace csm::audio {

// The model's audio: 24 kHz mono, produced in 80 ms frames of 1920 samples.
inline constexpr int kModelSampleRate = 24000;
inline constexpr int kModelFrameSamples = 1920;

enum class SampleFormat {
  S16LE,  // signed 16-bit little-endian
  F32LE,  // IEEE 754 32-bit float little-endian
};
int bytes_per_sample(SampleFormat format);

// Round to nearest, scale 32768, clip to [-32768, 32767].
std::int16_t float_to_s16(float x);
inline float s16_to_float(std::int16_t v) { return static_cast<float>(v) / 32768.0F; }

// Appends the samples as the lossy encoders code them: NaN and infinities become 0, the rest
// is clipped to [-1, 1], so a bad model frame sounds the same in every format and the stream
// recovers after it.
void append_clean(std::span<const float> samples, std::vector<float>& out);

// Appends the samples to `out` in the given byte format.
void append_samples(std::span<const float> samples, SampleFormat format,
                    std::vector<std::uint8_t>& out);

// A float sample read from client audio (IEEE float WAV or raw pcm_f32le), as the model gets
// it: clipped to [-1, 1]. NaN, infinities and values beyond +-kMaxFloatSample (not float audio
// at all: e.g. integers declared as floats) throw AudioError(Malformed) naming `what` and the
// sample's index, rather than reaching the model as silence or clipping.
inline constexpr double kMaxFloatSample = 4.0;
float checked_float_sample(double value, std::size_t index, const char* what);

// Averages interleaved frames of `channels` channels into one channel.
std::vector<float> downmix(std::span<const float> interleaved, int channels);

}  // namespace csm::audio
