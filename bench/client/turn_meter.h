// Measures one turn while it runs: request sent, each 80 ms frame as it arrives, the end.
// Used by both the WebSocket and the REST session. Thread: the run's io thread.
#pragma once

#include <cstdint>
#include <optional>

#include "bench/client/playback_clock.h"
#include "bench/client/run_state.h"
#include "bench/client/turn_record.h"

namespace csm::bench {

class TurnMeter {
 public:
  // The request of turn `turn` of session `session` is being sent now (before the session
  // counts it in run.active_turns).
  // `sent`: when the turn was first sent, for a turn sent again (--reconnect); else now.
  TurnMeter(const RunState& run, int session, int turn, double jitter_ms,
            std::optional<Clock::time_point> sent = std::nullopt);

  // One frame arrived now: `bytes` of payload holding `audio_ms` of decoded audio
  // (a frame that does not hold 80 ms is counted as bad).
  void on_frame(uint64_t bytes, double audio_ms);

  // The last frame received was the response's tail (the encoder's last packets after the
  // final 80 ms frame, proto/PROTOCOL.md): it completes the audio of the frames before it, so
  // it leaves the frame count, the decoded audio and the playback clock. A tail that did not
  // decode stays a bad frame.
  void last_frame_was_tail();

  double elapsed_ms() const;
  Clock::time_point sent() const { return sent_; }
  TurnRecord& record() { return record_; }
  // Completes the record (stall, underruns) and hands it over.
  TurnRecord finish();

 private:
  const RunState& run_;
  Clock::time_point sent_;
  PlaybackClock clock_;
  TurnRecord record_;
  PlaybackClock clock_before_last_;  // to take the last frame back when it was the tail
  double last_audio_ms_ = 0;
  bool last_bad_ = false;
};

}  // namespace csm::bench
