// What a listener hears: frames arrive over the network and play back-to-back, 80 ms each,
// after a jitter buffer. Times are milliseconds on one monotonic clock (any origin).
#pragma once

namespace csm::bench {

inline constexpr double kFrameMs = 80.0;

// Two views of the same arrivals:
//  - lateness: against the fixed clock of the issue, frame k is due at
//    first_arrival + jitter_ms + k * 80 ms; lateness = arrival - due (negative: early).
//  - underruns / stall: the player itself. When a frame is not there when the previous one
//    ends, the buffer ran dry (one underrun) and playback waits for it (stall time); later
//    frames are then due relative to the resumed playback, as a real player would do.
class PlaybackClock {
 public:
  explicit PlaybackClock(double jitter_ms) : jitter_ms_(jitter_ms) {}

  // Frame `frames()` arrived at `arrival_ms`. Returns its lateness against the fixed clock.
  double on_frame(double arrival_ms);

  int frames() const { return frames_; }
  int underruns() const { return underruns_; }
  double stall_ms() const { return stall_ms_; }

 private:
  double jitter_ms_;
  int frames_ = 0;
  double first_arrival_ms_ = 0;
  double next_play_ms_ = 0;  // when the player wants the next frame
  int underruns_ = 0;
  double stall_ms_ = 0;
};

}  // namespace csm::bench
