#include "bench/client/html_report.h"

#include <algorithm>

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

std::vector<double> ttfa_values(const std::vector<TurnRecord>& turns) {
  std::vector<double> ttfa;
  for (const auto& t : turns) {
    if (t.ttfa_ms >= 0) ttfa.push_back(t.ttfa_ms);
  }
  return ttfa;
}

// Bins as wide as a nice tick step of the range (about 20 of them), so bar edges sit on ticks.
std::string ttfa_histogram(const std::vector<TurnRecord>& turns) {
  const std::vector<double> ttfa = ttfa_values(turns);
  const Axis x_axis{"time to first audio (ms)", 0, 100};
  if (ttfa.empty()) {
    SvgPlot plot("TTFA distribution", x_axis, {"turns", 0, 1, true});
    plot.note("no turn received audio");
    return plot.svg();
  }
  const double top = *std::max_element(ttfa.begin(), ttfa.end());
  const double width = std::max(1.0, nice_ticks(0, top, 20).step);
  const auto bins = static_cast<size_t>(top / width) + 1;
  std::vector<int> counts(bins, 0);
  for (const double v : ttfa) ++counts[std::min(bins - 1, static_cast<size_t>(v / width))];
  SvgPlot plot(
      "TTFA distribution", {x_axis.label, 0, width * static_cast<double>(bins)},
      {"turns", 0, static_cast<double>(*std::max_element(counts.begin(), counts.end())), true});
  for (size_t i = 0; i < bins; ++i) {
    plot.bar(static_cast<double>(i) * width, static_cast<double>(i + 1) * width, counts[i]);
  }
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
  SvgPlot plot("Frame lateness over the run", {"arrival (s since start)", 0, wall_s},
               {"lateness (ms)", low, high});
  plot.legend("early or on time", kBlue);
  plot.legend("late", kRed);
  plot.legend("playback deadline", kRed, true);
  plot.hline(0);
  if (total == 0) plot.note("no audio frames received");
  const size_t stride = std::max<size_t>(1, total / kMaxPoints);
  size_t n = 0;
  for (const auto& t : turns) {
    for (size_t k = 0; k < t.lateness_ms.size(); ++k, ++n) {
      if (n % stride != 0) continue;
      // Frame k arrived at its due time (first arrival + jitter + k frames) plus its lateness.
      const double arrival_ms =
          t.start_ms + t.ttfa_ms + jitter_ms + static_cast<double>(k) * kFrameMs + t.lateness_ms[k];
      plot.point(arrival_ms / 1000, t.lateness_ms[k], t.lateness_ms[k] > 0 ? kRed : kBlue);
    }
  }
  return plot.svg();
}

std::string ttfa_by_concurrency(const std::vector<TurnRecord>& turns) {
  int most = 1;
  double top = 0;
  for (const auto& t : turns) {
    most = std::max(most, t.concurrency);
    top = std::max(top, t.ttfa_ms);
  }
  SvgPlot plot("TTFA against concurrency", {"turns in flight when sent", 0, most + 0.5, true},
               {"TTFA (ms)", 0, top});
  if (ttfa_values(turns).empty()) plot.note("no turn received audio");
  for (const auto& t : turns) {
    if (t.ttfa_ms >= 0) plot.point(t.concurrency, t.ttfa_ms);
  }
  return plot.svg();
}

std::string caption(const std::string& text) {
  return "<p class=\"caption\">" + escape(text) + "</p>\n";
}

// One line with the scenario: what was run against which server.
std::string run_description(const RunSummary& s, const Options& o) {
  std::string text = std::to_string(s.sessions) + " sessions x " + std::to_string(o.turns) +
                     " turns over " + (s.mode == "rest" ? "REST" : "WebSocket") + ", think " +
                     std::to_string(static_cast<int>(o.think_ms)) + " ms, max audio " +
                     (o.max_audio_ms > 0 ? std::to_string(o.max_audio_ms) + " ms"
                                         : std::string("sized to the text")) +
                     ", jitter buffer " + std::to_string(static_cast<int>(o.jitter_ms)) + " ms";
  if (o.barge_in_rate > 0) {
    text +=
        ", barge-in on " + std::to_string(static_cast<int>(o.barge_in_rate * 100)) + "% of turns";
  }
  if (!o.context_text.empty() || !o.context_audio_file.empty()) {
    text += std::string(", user context before ") +
            (o.context_each_turn ? "every turn" : "the first turn");
  }
  return text + ", server " + o.endpoint.host + ":" + o.endpoint.port;
}

}  // namespace

std::string html_report(const RunResult& result, const Options& options) {
  const auto& s = result.summary;
  std::string html =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>csm-bench report</title>"
      "<style>body{font-family:sans-serif;margin:2em}"
      "pre{background:#f6f6f6;padding:1em;overflow-x:auto}"
      "svg{display:block;margin:1.5em 0 0.3em}"
      "p.caption{color:#555;font-size:0.9em;max-width:640px;margin:0}</style>"
      "</head><body>\n<h1>csm-bench report</h1>\n";
  html += "<p>" + escape(run_description(s, options)) + "</p>\n";
  html += "<pre>" + escape(format_report(result)) + "</pre>\n";
  html += ttfa_histogram(result.turns) + "\n";
  html += caption(s.mode == "rest"
                      ? "Request sent (connection included) to the first 80 ms of PCM body "
                        "received, per turn."
                      : "response.create sent to the first audio frame received, per turn.");
  html += lateness_over_time(result.turns, options.jitter_ms, s.wall_seconds) + "\n";
  html += caption(
      "One dot per 80 ms frame: its arrival minus its playback deadline (the turn's "
      "first frame + the jitter buffer + k x 80 ms). Above 0 a listener hears a "
      "gap.");
  html += ttfa_by_concurrency(result.turns) + "\n";
  html += caption(
      "One dot per turn: its TTFA against the turns in flight when it was sent "
      "(itself included).");
  return html + "</body></html>\n";
}

}  // namespace csm::bench
