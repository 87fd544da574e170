#include "support/catch.h"

#include <thread>

#include "bench/client/turn_meter.h"

using namespace csm::bench;

TEST_CASE("a response's tail leaves the frame counts and the playback clock", "[bench]") {
  Options options;
  RunState run(options, {"Hi."}, std::nullopt);
  TurnMeter meter(run, 0, 0, /*jitter_ms=*/0);
  meter.on_frame(300, 80);
  // Arriving after the first frame has played out, it would be an underrun.
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  meter.on_frame(90, 20);  // the tail: one 20 ms Opus packet
  CHECK(meter.record().frames == 2);
  meter.last_frame_was_tail();
  const TurnRecord r = meter.finish();
  CHECK(r.frames == 1);
  CHECK(r.lateness_ms.size() == 1);
  CHECK(r.underruns == 0);
  CHECK(r.stall_ms == 0);
  CHECK(r.bad_frames == 0);
  CHECK(r.audio_ms == 80);
  CHECK(r.bytes == 390);  // its bytes were received all the same
}

TEST_CASE("a tail that does not decode stays a bad frame", "[bench]") {
  Options options;
  RunState run(options, {"Hi."}, std::nullopt);
  TurnMeter meter(run, 0, 0, 200);
  meter.on_frame(300, 80);
  meter.on_frame(90, -1);
  meter.last_frame_was_tail();
  const TurnRecord r = meter.finish();
  CHECK(r.frames == 1);
  CHECK(r.bad_frames == 1);
  CHECK(r.audio_ms == 80);
}
