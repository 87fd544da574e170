#include "bench/client/html_report.h"

#include <algorithm>
#include <cmath>

#include "bench/client/playback_clock.h"
#include "bench/client/svg_plot.h"

namespace csm::bench {

namespace {

constexpr size_t kMaxPoints = 20000;  // keeps the file small on long runs

std::string escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

std::string ttfa_histogram(const std::vector<TurnRecord>& turns) {
  std::vector<double> ttfa;
  for (const auto& t : turns) {
    if (t.ttfa_ms >= 0) ttfa.push_back(t.ttfa_ms);
  }
  const double top = ttfa.empty() ? 1 : *std::max_element(ttfa.begin(), ttfa.end());
  constexpr int kBins = 20;
  const double width = std::max(1.0, std::ceil(top / kBins));
  std::vector<int> counts(kBins, 0);
  for (const double v : ttfa) ++counts[std::min(kBins - 1, static_cast<int>(v / width))];
  SvgPlot plot("TTFA distribution", "time to first audio (ms)", "turns", 0, width * kBins, 0,
               *std::max_element(counts.begin(), counts.end()));
  for (int i = 0; i < kBins; ++i) plot.bar(i * width, (i + 1) * width, counts[i]);
  return plot.svg();
}

std::string lateness_over_time(const std::vector<TurnRecord>& turns, double jitter_ms,
                               double wall_s) {
  size_t total = 0;
  double low = -jitter_ms, high = 0;
  for (const auto& t : turns) {
    total += t.lateness_ms.size();
    for (const double l : t.lateness_ms) low = std::min(low, l), high = std::max(high, l);
  }
  const size_t stride = std::max<size_t>(1, total / kMaxPoints);
  SvgPlot plot("Frame lateness over the run (late > 0)", "arrival (s since start)",
               "lateness (ms)", 0, wall_s, low, high);
  size_t n = 0;
  for (const auto& t : turns) {
    for (size_t k = 0; k < t.lateness_ms.size(); ++k, ++n) {
      if (n % stride != 0) continue;
      // Frame k arrived at its due time (first arrival + jitter + k frames) plus its lateness.
      const double arrival_ms =
          t.start_ms + t.ttfa_ms + jitter_ms + static_cast<double>(k) * kFrameMs + t.lateness_ms[k];
      plot.point(arrival_ms / 1000, t.lateness_ms[k], t.lateness_ms[k] > 0 ? "#d62728" : "#1f77b4");
    }
  }
  plot.hline(0, "playback deadline");
  return plot.svg();
}

std::string ttfa_by_concurrency(const std::vector<TurnRecord>& turns) {
  int most = 1;
  double top = 1;
  for (const auto& t : turns) {
    most = std::max(most, t.concurrency);
    top = std::max(top, t.ttfa_ms);
  }
  SvgPlot plot("TTFA against concurrency", "turns in flight when sent", "TTFA (ms)", 0, most + 1,
               0, top);
  for (const auto& t : turns) {
    if (t.ttfa_ms >= 0) plot.point(t.concurrency, t.ttfa_ms);
  }
  return plot.svg();
}

}  // namespace

std::string html_report(const RunResult& result, const Options& options) {
  const auto& s = result.summary;
  std::string html =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>csm-bench report</title>"
      "<style>body{font-family:sans-serif;margin:2em}pre{background:#f6f6f6;padding:1em}"
      "svg{display:block;margin:1em 0}</style></head><body>\n<h1>csm-bench report</h1>\n";
  html += "<p>" + std::to_string(s.sessions) + " sessions, " + std::to_string(options.turns) +
          " turns each, mode " + escape(s.mode) + ", jitter buffer " +
          std::to_string(static_cast<int>(options.jitter_ms)) + " ms, server " +
          escape(options.endpoint.host + ":" + options.endpoint.port) + "</p>\n";
  html += "<pre>" + escape(format_report(result)) + "</pre>\n";
  html += ttfa_histogram(result.turns) + "\n";
  html += lateness_over_time(result.turns, options.jitter_ms, s.wall_seconds) + "\n";
  html += ttfa_by_concurrency(result.turns) + "\n";
  return html + "</body></html>\n";
}

}  // namespace csm::bench
