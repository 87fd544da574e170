#include "bench/client/playback_clock.h"

#include <algorithm>

namespace csm::bench {

double PlaybackClock::on_frame(double arrival_ms) {
  if (frames_ == 0) {
    first_arrival_ms_ = arrival_ms;
    next_play_ms_ = arrival_ms + jitter_ms_;
  }
  const double due_ms = first_arrival_ms_ + jitter_ms_ + frames_ * kFrameMs;
  if (arrival_ms > next_play_ms_) {
    ++underruns_;
    stall_ms_ += arrival_ms - next_play_ms_;
  }
  next_play_ms_ = std::max(next_play_ms_, arrival_ms) + kFrameMs;
  ++frames_;
  return arrival_ms - due_ms;
}

}  // namespace csm::bench
