#include "codec/audio/resampler.h"

#include <soxr.h>

#include <string>

#include "codec/audio/audio_error.h"

namespace csm::audio {
namespace {

constexpr int kMinRate = 1000;
constexpr int kMaxRate = 768000;

}  // namespace

Resampler::Resampler(int input_rate, int output_rate)
    : input_rate_(input_rate), output_rate_(output_rate) {
  for (const int rate : {input_rate, output_rate}) {
    if (rate < kMinRate || rate > kMaxRate) {
      throw AudioError(AudioError::Reason::Invalid,
                       "resampler: sample rate " + std::to_string(rate) + " Hz outside [" +
                           std::to_string(kMinRate) + ", " + std::to_string(kMaxRate) + "]");
    }
  }
  if (input_rate == output_rate) return;
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  // Small DFT blocks: soxr's default blocks hold back up to ~50 ms of an 80 ms frame; these
  // keep the lag near the filter's own delay (about 23 ms at 24 -> 8 kHz), for streaming.
  soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
  runtime.log2_min_dft_size = 8;
  runtime.log2_large_dft_size = 10;
  soxr_error_t error = nullptr;
  handle_ = soxr_create(input_rate, output_rate, 1, &error, &io, &quality, &runtime);
  if (error != nullptr || handle_ == nullptr) {
    throw AudioError(AudioError::Reason::Codec,
                     std::string("resampler: soxr_create failed: ") + (error ? error : "null"));
  }
}

Resampler::~Resampler() {
  if (handle_ != nullptr) soxr_delete(handle_);
}

std::vector<float> Resampler::process(std::span<const float> input) {
  if (handle_ == nullptr) return {input.begin(), input.end()};
  if (input.empty()) return {};
  return run(input.data(), input.size());
}

std::vector<float> Resampler::flush() {
  if (handle_ == nullptr) return {};
  return run(nullptr, 0);
}

std::vector<float> Resampler::run(const float* input, std::size_t count) {
  std::vector<float> output;
  const double ratio = static_cast<double>(output_rate_) / input_rate_;
  const std::size_t chunk = static_cast<std::size_t>(static_cast<double>(count) * ratio) + 256;
  std::size_t consumed = 0;
  while (true) {
    const std::size_t before = output.size();
    output.resize(before + chunk);
    std::size_t used = 0;
    std::size_t produced = 0;
    const float* in = input == nullptr ? nullptr : input + consumed;
    const soxr_error_t error = soxr_process(handle_, in, count - consumed, &used,
                                            output.data() + before, chunk, &produced);
    if (error != nullptr) {
      throw AudioError(AudioError::Reason::Codec, std::string("resampler: ") + error);
    }
    consumed += used;
    output.resize(before + produced);
    // soxr stops early only when the output buffer is full; otherwise all is done.
    if (produced < chunk && consumed == count) break;
  }
  return output;
}

std::vector<float> resample(std::span<const float> input, int input_rate, int output_rate) {
  Resampler resampler(input_rate, output_rate);
  std::vector<float> output = resampler.process(input);
  const std::vector<float> tail = resampler.flush();
  output.insert(output.end(), tail.begin(), tail.end());
  return output;
}

}  // namespace csm::audio
