#include "support/catch.h"

#include "bench/client/playback_clock.h"

using csm::bench::PlaybackClock;

TEST_CASE("frames arriving every 80 ms play without underruns", "[bench]") {
  PlaybackClock clock(200);
  for (int k = 0; k < 10; ++k) CHECK(clock.on_frame(1000 + 80.0 * k) == Approx(-200));
  CHECK(clock.underruns() == 0);
  CHECK(clock.stall_ms() == 0);
  CHECK(clock.frames() == 10);
}

TEST_CASE("a frame later than the jitter buffer is one underrun with its stall", "[bench]") {
  PlaybackClock clock(100);
  CHECK(clock.on_frame(0) == Approx(-100));
  CHECK(clock.on_frame(80) == Approx(-100));
  // Frame 2 is due at 100 + 160 = 260 and arrives at 400: 140 ms late, buffer dry.
  CHECK(clock.on_frame(400) == Approx(140));
  CHECK(clock.underruns() == 1);
  CHECK(clock.stall_ms() == Approx(140));
  // Playback resumed at 400: frame 3 plays at 480. Arriving at 470 is in time for the
  // player although it is late on the fixed clock (due 340).
  CHECK(clock.on_frame(470) == Approx(130));
  CHECK(clock.underruns() == 1);
  CHECK(clock.stall_ms() == Approx(140));
}

TEST_CASE("a burst ahead of time builds up buffer that absorbs a later gap", "[bench]") {
  PlaybackClock clock(0);
  for (int k = 0; k < 5; ++k) clock.on_frame(k);  // five frames at once: 400 ms of audio
  CHECK(clock.on_frame(390) == Approx(-10));        // due at 400
  CHECK(clock.underruns() == 0);
  CHECK(clock.on_frame(600) == Approx(120));         // due at 480: dry for 120 ms
  CHECK(clock.underruns() == 1);
  CHECK(clock.stall_ms() == Approx(120));
}
