#include "support/catch.h"

#include "bench/client/report.h"

using namespace csm::bench;

TEST_CASE("nearest-rank percentiles", "[bench]") {
  std::vector<double> values;
  for (int i = 100; i >= 1; --i) values.push_back(i);
  const Percentiles p = percentiles(values);
  CHECK(p.p50 == 50);
  CHECK(p.p90 == 90);
  CHECK(p.p99 == 99);
  CHECK(p.max == 100);
  CHECK(p.count == 100);
  CHECK(percentiles({7}).p50 == 7);
  CHECK(percentiles({}).max == 0);
}

TEST_CASE("summary counts turns, errors and audio and keeps the JSON keys", "[bench]") {
  TurnRecord ok;
  ok.completed = true;
  ok.ttfa_ms = 120;
  ok.generation_ms = 400;
  ok.audio_ms = 800;
  ok.frames = ok.frames_reported = 10;
  ok.lateness_ms = {-200, -150};
  ok.underruns = 1;
  TurnRecord refused;
  refused.error_code = "overloaded";
  const RunSummary s = summarize({ok, refused}, {{"connect_failed", 2}}, 3, "ws", 2.0);
  CHECK(s.turns_completed == 1);
  CHECK(s.turns_failed == 1);
  CHECK(s.errors.at("overloaded") == 1);
  CHECK(s.errors.at("connect_failed") == 2);
  CHECK(s.rtf.p50 == Approx(0.5));
  CHECK(s.audio_seconds == Approx(0.8));
  CHECK(s.throughput() == Approx(0.4));
  CHECK(s.underrun_rate() == Approx(0.1));
  const auto json = to_json(s);
  for (const char* key : {"turns_completed", "turns_failed", "errors", "ttfa_ms", "rtf",
                          "lateness_ms", "underruns", "audio_seconds", "wall_seconds"}) {
    CHECK(json.contains(key));
  }
  CHECK(json["ttfa_ms"]["p99"] == 120.0);
  CHECK(json["lateness_ms"]["max"] == -150.0);
  CHECK(format_table(s).find("overloaded=1") != std::string::npos);
  CHECK(turns_csv({ok, refused}).find("overloaded") != std::string::npos);
  CHECK(format_table(s).find("context") == std::string::npos);  // no context, no row
}

TEST_CASE("context round trips and refusals are summarized, refusals as errors", "[bench]") {
  TurnRecord added, refused, none;
  added.completed = refused.completed = none.completed = true;
  added.context_ms = 30;
  refused.context_error = "audio_invalid";
  const RunSummary s = summarize({added, refused, none}, {}, 1, "ws", 1.0);
  CHECK(s.turns_completed == 3);  // a refused context does not fail the turn...
  CHECK(s.context_ms.count == 1);
  CHECK(s.context_ms.p50 == 30);
  CHECK(s.contexts_failed == 1);
  CHECK(s.errors.at("audio_invalid") == 1);  // ...but counts as an error
  const auto json = to_json(s);
  CHECK(json["context_ms"]["count"] == 1);
  CHECK(json["contexts_failed"] == 1);
  CHECK(format_table(s).find("context") != std::string::npos);
  CHECK(turns_csv({refused}).find(",audio_invalid,-1,0\n") != std::string::npos);  // end_ms, retries
}

TEST_CASE("reconnects and turns sent again are reported, a retried turn is not a failure",
          "[bench]") {
  TurnRecord retried, lost;
  retried.completed = true;
  retried.retries = 1;
  retried.end_ms = 1500;
  lost.error_code = "connection_lost";
  RunSummary s = summarize({retried, lost}, {}, 2, "ws", 2.0);
  s.reconnects = {{"connection_lost", 1}, {"shutting_down", 1}};
  CHECK(s.turns_completed == 1);
  CHECK(s.turns_failed == 1);
  CHECK(s.turns_retried == 1);
  const auto json = to_json(s);
  CHECK(json["turns_retried"] == 1);
  CHECK(json["reconnects"]["shutting_down"] == 1);
  CHECK(format_table(s).find("reconnects: connection_lost=1 shutting_down=1") != std::string::npos);
  CHECK(turns_csv({retried}).find(",1500,1\n") != std::string::npos);
}
