#include "codec/audio/decode_limits.h"

#include <string>

#include "codec/audio/audio_error.h"

namespace csm::audio {

void check_input_size(std::size_t bytes, const DecodeLimits& limits, const char* what) {
  if (limits.max_bytes >= 0 && bytes > static_cast<std::uint64_t>(limits.max_bytes)) {
    throw AudioError(AudioError::Reason::TooLarge,
                     std::string(what) + ": input of " + std::to_string(bytes) +
                         " bytes is over the limit of " + std::to_string(limits.max_bytes));
  }
}

void check_duration(std::uint64_t frames, int sample_rate, const DecodeLimits& limits,
                    const char* what) {
  const double seconds = static_cast<double>(frames) / sample_rate;
  if (seconds > limits.max_seconds) {
    throw AudioError(AudioError::Reason::TooLong, std::string(what) + ": " +
                                                      std::to_string(seconds) +
                                                      " s of audio is over the limit of " +
                                                      std::to_string(limits.max_seconds) + " s");
  }
}

}  // namespace csm::audio
