#include "bench/client/capacity.h"

#include <cstdio>
#include <iostream>
#include <sstream>

#include "bench/client/runner.h"

namespace csm::bench {

bool sustained(const RunSummary& s, const Options& options, std::string& reason) {
  char text[160];
  if (s.turns_failed > 0 || !s.errors.empty()) {
    std::snprintf(text, sizeof text, "%d turns failed", s.turns_failed);
  } else if (s.underrun_rate() > options.capacity_max_underrun_rate) {
    std::snprintf(text, sizeof text, "underrun rate %.4f > %.4f", s.underrun_rate(),
                  options.capacity_max_underrun_rate);
  } else if (s.ttfa_ms.p95 > options.capacity_ttfa_p95_ms) {
    std::snprintf(text, sizeof text, "TTFA p95 %.0f ms > %.0f ms", s.ttfa_ms.p95,
                  options.capacity_ttfa_p95_ms);
  } else {
    reason.clear();
    return true;
  }
  reason = text;
  return false;
}

CapacityResult run_capacity(const Options& options) {
  CapacityResult result;
  for (int n = options.capacity_step; n <= options.capacity_max_sessions;
       n += options.capacity_step) {
    Options level_options = options;
    level_options.sessions = n;
    level_options.metrics = false;
    CapacityLevel level;
    level.sessions = n;
    level.summary = run_scenario(level_options).summary;
    level.sustained = sustained(level.summary, options, level.reason);
    std::fprintf(stderr, "capacity: %d sessions: %s%s\n", n,
                 level.sustained ? "sustained" : "not sustained: ", level.reason.c_str());
    result.levels.push_back(level);
    if (!level.sustained) break;
    result.streams = n;
  }
  return result;
}

nlohmann::json to_json(const CapacityResult& result, const Options& options) {
  nlohmann::json levels = nlohmann::json::array();
  for (const auto& level : result.levels) {
    nlohmann::json json = to_json(level.summary);
    json["sustained"] = level.sustained;
    json["reason"] = level.reason;
    levels.push_back(std::move(json));
  }
  return {{"capacity_streams", result.streams},
          {"criteria",
           {{"ttfa_p95_ms", options.capacity_ttfa_p95_ms},
            {"max_underrun_rate", options.capacity_max_underrun_rate},
            {"turns_per_session", options.turns}}},
          {"levels", levels}};
}

std::string format_capacity(const CapacityResult& result, const Options& options) {
  std::ostringstream out;
  char line[200];
  std::snprintf(line, sizeof line, "%8s %10s %10s %10s %10s %10s  %s\n", "sessions", "TTFA p50",
                "TTFA p95", "RTF p50", "underruns", "x realtime", "verdict");
  out << line;
  for (const auto& level : result.levels) {
    const auto& s = level.summary;
    std::snprintf(line, sizeof line, "%8d %10.0f %10.0f %10.2f %10d %10.2f  %s\n",
                  level.sessions, s.ttfa_ms.p50, s.ttfa_ms.p95, s.rtf.p50, s.underruns,
                  s.throughput(), level.sustained ? "ok" : level.reason.c_str());
    out << line;
  }
  std::snprintf(line, sizeof line,
                "\ncapacity: %d real-time streams (TTFA p95 <= %.0f ms, underrun rate <= %.4f, "
                "no failed turns)\n",
                result.streams, options.capacity_ttfa_p95_ms, options.capacity_max_underrun_rate);
  out << line;
  return out.str();
}

}  // namespace csm::bench
