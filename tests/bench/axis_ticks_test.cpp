#include "support/catch.h"

#include "bench/client/axis_ticks.h"

using namespace csm::bench;

TEST_CASE("ticks step by 1, 2 or 5 times a power of ten and cover the data", "[bench]") {
  const AxisTicks lateness = nice_ticks(-1060, 1210);
  CHECK(lateness.step == 500);
  CHECK(lateness.first == -1500);
  CHECK(lateness.last() == 1500);
  const AxisTicks seconds = nice_ticks(0, 15.5);
  CHECK(seconds.step == 5);
  CHECK(seconds.first == 0);
  CHECK(seconds.last() == 20);
  const AxisTicks exact = nice_ticks(0, 400);  // bounds on ticks stay put
  CHECK(exact.step == 100);
  CHECK(exact.last() == 400);
  CHECK(nice_ticks(0, 0.003).step == Approx(0.001));
}

TEST_CASE("counts tick on whole numbers, an empty range gets one step", "[bench]") {
  const AxisTicks turns = nice_ticks(0, 3, 5, true);
  CHECK(turns.step == 1);
  CHECK(turns.last() == 3);
  CHECK(nice_ticks(0, 7, 5, true).step == 2);
  const AxisTicks empty = nice_ticks(0, 0, 5, true);
  CHECK(empty.step == 1);
  CHECK(empty.intervals == 1);
}

TEST_CASE("tick labels have the decimals the step needs and no exponent", "[bench]") {
  CHECK(tick_label(1500, 500) == "1500");
  CHECK(tick_label(-1000, 500) == "-1000");
  CHECK(tick_label(0.5, 0.5) == "0.5");
  CHECK(tick_label(0.002, 0.001) == "0.002");
  CHECK(tick_label(-1e-12, 0.1) == "0.0");
  CHECK(tick_label(2500000, 500000) == "2500000");
}
