// Limits on input audio (voice prompts, conversation context), checked before any large
// allocation: the input's size first, then the duration its headers declare, then the
// duration actually decoded.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/config/config.h"

namespace csm::audio {

struct DecodeLimits {
  std::int64_t max_bytes = 32 * 1024 * 1024;  // encoded input size in bytes
  double max_seconds = 120.0;                 // decoded duration in seconds

  template <class V>
  void describe(V& v) {
    v.field("max_bytes", max_bytes, "largest accepted input audio in bytes",
            config::Range{1024, 1024.0 * 1024 * 1024});
    v.field("max_seconds", max_seconds, "longest accepted input audio in seconds",
            config::Range{0.1, 3600});
  }
};

// Throw AudioError(TooLarge / TooLong) naming `what` (e.g. "wav") and the numbers.
void check_input_size(std::size_t bytes, const DecodeLimits& limits, const char* what);
void check_duration(std::uint64_t frames, int sample_rate, const DecodeLimits& limits,
                    const char* what);

}  // namespace csm::audio
