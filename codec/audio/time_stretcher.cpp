#include "codec/audio/time_stretcher.h"

#include <sonic.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "codec/audio/audio_error.h"

namespace csm::audio {
namespace {

constexpr int kMinRate = 8000;
constexpr int kMaxRate = 48000;
// Input handed to sonic per call: bounds the scratch buffer and keeps counts well inside int.
constexpr std::size_t kBlockSamples = 4096;

}  // namespace

TimeStretcher::TimeStretcher(double speed, int sample_rate)
    : speed_(speed), sample_rate_(sample_rate) {
  if (!(speed >= kMinSpeed && speed <= kMaxSpeed)) {  // written so that NaN fails too
    throw AudioError(AudioError::Reason::Invalid,
                     "time stretcher: speed " + std::to_string(speed) + " outside [0.25, 4]");
  }
  if (sample_rate < kMinRate || sample_rate > kMaxRate) {
    throw AudioError(AudioError::Reason::Invalid, "time stretcher: sample rate " +
                                                      std::to_string(sample_rate) +
                                                      " Hz outside [" + std::to_string(kMinRate) +
                                                      ", " + std::to_string(kMaxRate) + "]");
  }
  if (speed == 1.0) return;
  stream_ = sonicCreateStream(sample_rate, 1);
  if (stream_ == nullptr) {
    throw AudioError(AudioError::Reason::Codec, "time stretcher: sonicCreateStream failed");
  }
  // Pitch, rate and volume stay 1 and quality 0 (the defaults; see the header for why).
  sonicSetSpeed(stream_, static_cast<float>(speed));
}

TimeStretcher::~TimeStretcher() {
  if (stream_ != nullptr) sonicDestroyStream(stream_);
}

std::vector<float> TimeStretcher::process(std::span<const float> input) {
  if (finished_) {
    throw AudioError(AudioError::Reason::Invalid, "time stretcher: process() after finish()");
  }
  if (stream_ == nullptr) return {input.begin(), input.end()};
  std::vector<float> output;
  for (std::size_t start = 0; start < input.size(); start += kBlockSamples) {
    const std::span<const float> block =
        input.subspan(start, std::min(kBlockSamples, input.size() - start));
    // sonic 0.2.0 converts to 16 bits without clipping: out-of-range values would wrap.
    clipped_.resize(block.size());
    std::transform(block.begin(), block.end(), clipped_.begin(),
                   [](float x) { return std::isnan(x) ? 0.0F : std::clamp(x, -1.0F, 1.0F); });
    if (sonicWriteFloatToStream(stream_, clipped_.data(), static_cast<int>(clipped_.size())) == 0) {
      throw AudioError(AudioError::Reason::Codec, "time stretcher: sonic out of memory");
    }
    read_available(output);
  }
  return output;
}

std::vector<float> TimeStretcher::finish() {
  std::vector<float> output;
  if (finished_) return output;
  finished_ = true;
  if (stream_ == nullptr) return output;
  if (sonicFlushStream(stream_) == 0) {
    throw AudioError(AudioError::Reason::Codec, "time stretcher: sonic out of memory");
  }
  read_available(output);
  return output;
}

void TimeStretcher::read_available(std::vector<float>& output) {
  const int available = sonicSamplesAvailable(stream_);
  if (available <= 0) return;
  const std::size_t before = output.size();
  output.resize(before + static_cast<std::size_t>(available));
  const int read = sonicReadFloatFromStream(stream_, output.data() + before, available);
  output.resize(before + static_cast<std::size_t>(std::max(read, 0)));
}

}  // namespace csm::audio
