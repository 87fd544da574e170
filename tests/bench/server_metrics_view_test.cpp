#include "support/catch.h"

#include "bench/client/server_metrics_view.h"

using namespace csm::bench;

TEST_CASE("Prometheus text parses into series", "[bench]") {
  const auto s = parse_prometheus(
      "# HELP csm_frames_total Audio frames produced\n"
      "# TYPE csm_frames_total counter\n"
      "csm_frames_total 80\n"
      "csm_turns_total{reason=\"max_length\"} 8\n"
      "csm_ttfa_seconds_bucket{le=\"+Inf\"} 4\n"
      "garbage\n");
  CHECK(s.at("csm_frames_total") == 80);
  CHECK(s.at("csm_turns_total{reason=\"max_length\"}") == 8);
  CHECK(s.at("csm_ttfa_seconds_bucket{le=\"+Inf\"}") == 4);
  CHECK(s.size() == 3);
}

TEST_CASE("the server view is the delta of the run", "[bench]") {
  const auto before = parse_prometheus(
      "csm_frames_total 100\n"
      "csm_ttfa_seconds_count 2\ncsm_ttfa_seconds_sum 1.0\n"
      "csm_ttfa_seconds_bucket{le=\"0.05\"} 0\ncsm_ttfa_seconds_bucket{le=\"0.1\"} 0\n"
      "csm_ttfa_seconds_bucket{le=\"0.5\"} 2\ncsm_ttfa_seconds_bucket{le=\"+Inf\"} 2\n"
      "csm_batch_size_count 10\ncsm_batch_size_sum 10\n"
      "csm_tick_duration_seconds_count{stage=\"total\"} 10\n"
      "csm_tick_duration_seconds_sum{stage=\"total\"} 0.5\n"
      "csm_turns_total{reason=\"max_length\"} 2\ncsm_errors_total{code=\"overloaded\"} 0\n");
  const auto after = parse_prometheus(
      "csm_frames_total 140\n"
      "csm_ttfa_seconds_count 12\ncsm_ttfa_seconds_sum 1.8\n"
      "csm_ttfa_seconds_bucket{le=\"0.05\"} 4\ncsm_ttfa_seconds_bucket{le=\"0.1\"} 10\n"
      "csm_ttfa_seconds_bucket{le=\"0.5\"} 12\ncsm_ttfa_seconds_bucket{le=\"+Inf\"} 12\n"
      "csm_batch_size_count 30\ncsm_batch_size_sum 70\n"
      "csm_tick_duration_seconds_count{stage=\"total\"} 30\n"
      "csm_tick_duration_seconds_sum{stage=\"total\"} 1.5\n"
      "csm_turns_total{reason=\"max_length\"} 12\ncsm_errors_total{code=\"overloaded\"} 0\n");
  const ServerView v = server_view(before, after);
  CHECK(v.frames == 40);
  CHECK(v.ttfa_count == 10);
  CHECK(v.ttfa_mean_ms == Approx(80));
  CHECK(v.ttfa_p50_le_ms == Approx(100));  // 4 of 10 under 50 ms, 10 of 10 under 100 ms
  CHECK(v.ttfa_p99_le_ms == Approx(100));
  CHECK(v.batch_mean == Approx(3));
  CHECK(v.step_mean_ms.at("total") == Approx(50));
  CHECK(v.turns.at("max_length") == 10);
  CHECK(v.errors.empty());
  CHECK(format_server_view(v).find("max_length=10") != std::string::npos);
}
