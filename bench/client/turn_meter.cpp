#include "bench/client/turn_meter.h"

#include <cmath>

namespace csm::bench {

TurnMeter::TurnMeter(const RunState& run, int session, int turn, double jitter_ms,
                     std::optional<Clock::time_point> sent)
    : run_(run),
      sent_(sent.value_or(Clock::now())),
      clock_(jitter_ms),
      clock_before_last_(jitter_ms) {
  record_.session = session;
  record_.turn = turn;
  record_.start_ms = run.ms_since_start(sent_);
  record_.concurrency = run.active_turns + 1;
}

double TurnMeter::elapsed_ms() const {
  return std::chrono::duration<double, std::milli>(Clock::now() - sent_).count();
}

void TurnMeter::on_frame(uint64_t bytes, double audio_ms) {
  const double arrival_ms = elapsed_ms();
  if (record_.frames == 0) record_.ttfa_ms = arrival_ms;
  record_.generation_ms = arrival_ms;
  clock_before_last_ = clock_;
  record_.lateness_ms.push_back(clock_.on_frame(arrival_ms));
  ++record_.frames;
  record_.bytes += bytes;
  last_audio_ms_ = audio_ms;
  if (audio_ms > 0) record_.audio_ms += audio_ms;
  last_bad_ = std::abs(audio_ms - kFrameMs) > 0.5;
  if (last_bad_) ++record_.bad_frames;
}

void TurnMeter::last_frame_was_tail() {
  if (record_.frames == 0) return;
  --record_.frames;
  record_.lateness_ms.pop_back();
  clock_ = clock_before_last_;
  if (last_audio_ms_ <= 0) return;  // it did not decode: still a bad frame
  record_.audio_ms -= last_audio_ms_;
  if (last_bad_) --record_.bad_frames;
}

TurnRecord TurnMeter::finish() {
  record_.underruns = clock_.underruns();
  record_.stall_ms = clock_.stall_ms();
  record_.end_ms = run_.ms_since_start(Clock::now());
  return std::move(record_);
}

}  // namespace csm::bench
