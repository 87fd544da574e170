#include "support/catch.h"

#include "bench/client/html_report.h"

using namespace csm::bench;

namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("the HTML report is self-contained with three plots", "[bench]") {
  Options options;
  options.jitter_ms = 100;
  TurnRecord on_time, late;
  on_time.ttfa_ms = 50;
  on_time.concurrency = 1;
  on_time.lateness_ms = {-100, -100};
  late.ttfa_ms = 400;
  late.concurrency = 2;
  late.lateness_ms = {-100, 30};
  late.error_code = "<odd>";
  RunResult result;
  result.turns = {on_time, late};
  result.summary = summarize(result.turns, {}, 2, "ws", 1.0);
  const std::string html = html_report(result, options);
  CHECK(count(html, "<svg") == 3);
  CHECK(count(html, "</svg>") == 3);
  CHECK(html.find("http://www.w3.org/2000/svg") != std::string::npos);  // namespace only
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("src=") == std::string::npos);
  CHECK(count(html, "r=\"2\"") == 4 + 2);               // 4 frames, 2 turns
  CHECK(count(html, "r=\"2\" fill=\"#d62728\"") == 1);  // the one late frame is red
  CHECK(html.find("playback deadline") != std::string::npos);  // the legend
  CHECK(html.find("no turn received audio") == std::string::npos);
  CHECK(html.find("&lt;odd&gt;") != std::string::npos);
  CHECK(html.find("<odd>") == std::string::npos);
}

TEST_CASE("the HTML report says so when a plot has no data", "[bench]") {
  TurnRecord refused;
  refused.error_code = "unknown_voice";
  RunResult result;
  result.turns = {refused};
  result.summary = summarize(result.turns, {}, 1, "ws", 0.01);
  const std::string html = html_report(result, Options{});
  CHECK(count(html, "no turn received audio") == 2);  // TTFA histogram and concurrency
  CHECK(count(html, "no audio frames received") == 1);
  CHECK(count(html, "<rect") == 0);
}
