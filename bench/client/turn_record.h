// One measured turn (one response) as the client saw it. Filled by a session, read by the
// report. Times are milliseconds; `start_ms` is relative to the start of the run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace csm::bench {

struct TurnRecord {
  int session = 0;
  int turn = 0;
  double start_ms = 0;         // request sent, since the run started
  int concurrency = 0;         // turns in flight when this one was sent (itself included)
  double ttfa_ms = -1;         // request sent -> first audio frame received; -1: no audio
  double generation_ms = 0;    // request sent -> last audio received
  std::vector<double> lateness_ms;  // per frame, against the fixed playback clock
  int underruns = 0;           // times the player's buffer ran dry
  double stall_ms = 0;         // total time the player waited for audio
  uint32_t frames = 0;         // audio frames received (80 ms each)
  uint32_t frames_reported = 0;  // what the server's response.done says it sent
  uint64_t bytes = 0;          // audio payload bytes received (frame messages / body)
  double audio_ms = 0;         // audio decoded from what was received
  int bad_frames = 0;          // frames that did not decode to exactly 80 ms
  bool completed = false;      // ended normally (end_of_audio / max_length / context_full)
  bool cancelled = false;      // barge-in by the bench, acknowledged by the server
  double cancel_latency_ms = -1;  // response.cancel sent -> response.done received; -1: none
  std::string end_reason;      // response.done reason, or "" (REST: "end_of_body")
  std::string error_code;      // protocol error code or transport failure name; "" if none
  // The user's context sent before this turn (ws --context-*): context.add sent ->
  // context.added received, -1 when none was sent; or the code of the error that refused it.
  double context_ms = -1;
  std::string context_error;
  double end_ms = -1;          // when the turn ended (done, failed), since the run started
  // --reconnect: times a draining server refused this turn before it started and it was sent
  // again on a new connection (start_ms and ttfa_ms count from the first attempt).
  int retries = 0;

  // Generation time per second of audio; < 1 is faster than real time. 0 without audio.
  double rtf() const { return audio_ms > 0 ? generation_ms / audio_ms : 0; }
};

}  // namespace csm::bench
