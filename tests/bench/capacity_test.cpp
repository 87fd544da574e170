#include "support/catch.h"

#include "bench/client/capacity.h"

using namespace csm::bench;

TEST_CASE("a capacity level is sustained only within every criterion", "[bench]") {
  Options options;
  options.capacity_ttfa_p95_ms = 300;
  options.capacity_max_underrun_rate = 0.01;
  RunSummary s;
  s.frames = 1000;
  s.ttfa_ms.p95 = 250;
  std::string reason;
  CHECK(sustained(s, options, reason));
  CHECK(reason.empty());

  s.underruns = 20;  // 2% of frames
  CHECK_FALSE(sustained(s, options, reason));
  CHECK_THAT(reason, Catch::Contains("underrun rate"));

  s.underruns = 5;
  s.ttfa_ms.p95 = 301;
  CHECK_FALSE(sustained(s, options, reason));
  CHECK_THAT(reason, Catch::Contains("TTFA p95"));

  s.ttfa_ms.p95 = 100;
  s.errors["overloaded"] = 1;
  s.turns_failed = 1;
  CHECK_FALSE(sustained(s, options, reason));
  CHECK_THAT(reason, Catch::Contains("failed"));
}
